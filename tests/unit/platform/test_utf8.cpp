// UTF-8 strings and paths (deskext/platform/utf8.hpp). On POSIX a path's bytes are its UTF-8
// name; on Windows a path is UTF-16: both must name the same file and show the same UTF-8.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "deskext/platform/utf8.hpp"

using deskext::platform::generic_utf8_of;
using deskext::platform::path_from_utf8;
using deskext::platform::utf8_arguments;
using deskext::platform::utf8_of;

namespace {

// "Jörg/文件/ext.tar" spelled out in bytes.
const std::string k_name = "J\xc3\xb6rg/\xe6\x96\x87\xe4\xbb\xb6/ext.tar";

// The path of a UTF-8 literal, made by the standard library's own u8 conversion.
std::filesystem::path u8_path(std::string_view text) {
    return std::filesystem::path(std::u8string(text.begin(), text.end()));
}

}  // namespace

TEST_CASE("utf8: a UTF-8 string names the path of those bytes", "[platform]") {
    const auto path = path_from_utf8(k_name);
    CHECK(path == u8_path(k_name));
    CHECK(path.filename() == u8_path("ext.tar"));
    CHECK(path.parent_path().filename() == u8_path("\xe6\x96\x87\xe4\xbb\xb6"));
    CHECK(path_from_utf8("").empty());
}

TEST_CASE("utf8: a path shows as the UTF-8 it was made from", "[platform]") {
    const auto path = path_from_utf8(k_name);
    CHECK(generic_utf8_of(path) == k_name);
    CHECK(generic_utf8_of(path / path_from_utf8("\xc3\xa9t\xc3\xa9")) ==
          k_name + "/\xc3\xa9t\xc3\xa9");
    // utf8_of keeps the OS's separators: the name's own '/' are the generic ones on POSIX and
    // stay as given on Windows, where path_from_utf8 does not rewrite them.
    CHECK(utf8_of(path) == k_name);
    CHECK(utf8_of(std::filesystem::path()).empty());
}

TEST_CASE("utf8: the arguments are argv as it is, the program's name included",
          "[platform][posix]") {
    // Windows reads the process's own command line instead (the Windows integration tests pass
    // deskext.exe paths outside ASCII).
    std::string program = "deskext";
    std::string command = "install";
    std::string source = "oci-archive:" + k_name;
    std::string empty;
    std::vector<char*> argv{program.data(), command.data(), source.data(), empty.data(), nullptr};
    const auto arguments = utf8_arguments(4, argv.data());
    CHECK(arguments == std::vector<std::string>{"deskext", "install", source, ""});
    CHECK(utf8_arguments(0, argv.data()).empty());
}
