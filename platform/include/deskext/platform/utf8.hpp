#pragma once
// Every string in deskext is UTF-8: arguments, messages, JSON events, image paths. POSIX paths
// are bytes and pass as they are. Windows paths are UTF-16, and the char conversions
// std::filesystem::path offers there (path(std::string), path.string()) go through the ANSI code
// page, which loses what it cannot hold or throws: paths made from strings, and strings made from
// paths, go through these instead.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace deskext::platform {

// The path a UTF-8 string names (an argument, an image path, a configured directory). On
// Windows an invalid byte sequence becomes U+FFFD.
[[nodiscard]] std::filesystem::path path_from_utf8(std::string_view text);

// A path as UTF-8, for messages and JSON, with the OS's separators. Never throws: on Windows a
// name that is not valid UTF-16 shows U+FFFD where it is invalid.
[[nodiscard]] std::string utf8_of(const std::filesystem::path& path);

// The same with '/' as the separator (image paths, relative paths compared with them).
[[nodiscard]] std::string generic_utf8_of(const std::filesystem::path& path);

// The program's arguments, argv[0] included, as UTF-8. POSIX: argv as it is. Windows: the
// process's UTF-16 command line, split by CommandLineToArgvW: argv holds its rendering in the
// ANSI code page, where a name outside that code page is lost.
[[nodiscard]] std::vector<std::string> utf8_arguments(int argc, char** argv);

}  // namespace deskext::platform
