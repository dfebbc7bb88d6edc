#include <catch2/catch.hpp>

#ifdef _WIN32
#include <io.h>
#else
#include <unistd.h>
#endif

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "deskext/platform/pending_file.hpp"
#include "fixtures/files.hpp"
#include "fixtures/temp_dir.hpp"

namespace fs = std::filesystem;
using deskext::fixtures::TempDir;
using deskext::platform::PendingFile;

namespace {

void write_all(const PendingFile& file, const std::string& text) {
#ifdef _WIN32
    // A C runtime descriptor there (pending_file.hpp): the runtime's own write.
    const auto size = static_cast<unsigned int>(text.size());
    REQUIRE(::_write(file.fd(), text.data(), size) == static_cast<int>(size));
#else
    REQUIRE(::write(file.fd(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
#endif
}

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("pending file: nothing under any name until it is published", "[platform]") {
    TempDir dir;
    const auto destination = dir / "bundle.tar";
    SECTION("published: the bytes at the destination, mode 0644, nothing else beside it") {
        auto file = PendingFile::create(destination);
        REQUIRE(file);
        write_all(*file, "all of it");
#ifdef __linux__
        // O_TMPFILE: the file being written has no name in the directory.
        CHECK(deskext::fixtures::names_in(dir.path()).empty());
#endif
        auto size = file->publish();
        REQUIRE(size);
        CHECK(*size == 9);
        CHECK(read_all(destination) == "all of it");
#ifndef _WIN32
        // Windows files have no mode, only the read-only attribute.
        CHECK(fs::status(destination).permissions() ==
              (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
               fs::perms::others_read));
#endif
        CHECK(deskext::fixtures::names_in(dir.path()) == std::vector<std::string>{"bundle.tar"});
    }
    SECTION("an existing destination is replaced in one step, and only on publish") {
        { std::ofstream(destination) << "old"; }
        auto file = PendingFile::create(destination);
        REQUIRE(file);
        write_all(*file, "new");
        CHECK(read_all(destination) == "old");
        REQUIRE(file->publish());
        CHECK(read_all(destination) == "new");
        CHECK(deskext::fixtures::names_in(dir.path()) == std::vector<std::string>{"bundle.tar"});
    }
    SECTION("never published: nothing is left") {
        {
            auto file = PendingFile::create(destination);
            REQUIRE(file);
            write_all(*file, "partial");
            CHECK_THAT(file->describe(), Catch::Contains("bundle.tar"));
        }
        CHECK(deskext::fixtures::names_in(dir.path()).empty());
    }
    SECTION("a bare file name is created in the working directory") {
        const auto cwd = fs::current_path();
        fs::current_path(dir.path());
        auto file = PendingFile::create("here.tar");
        auto published = file ? file->publish() : std::unexpected(file.error());
        fs::current_path(cwd);
        REQUIRE(published);
        CHECK(deskext::fixtures::names_in(dir.path()) == std::vector<std::string>{"here.tar"});
    }
    SECTION("a missing directory fails with its path") {
        auto file = PendingFile::create(dir / "missing" / "bundle.tar");
        REQUIRE_FALSE(file);
        CHECK(file.error().code == deskext::ErrorCode::filesystem);
        CHECK_THAT(file.error().message, Catch::Contains("missing"));
    }
}
