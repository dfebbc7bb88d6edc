#include <catch2/catch.hpp>

#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <array>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <string_view>

#include "deskext/platform/file.hpp"
#include "deskext/platform/fs.hpp"
#include "fixtures/temp_dir.hpp"

namespace fs = std::filesystem;
using deskext::ErrorCode;
using deskext::fixtures::TempDir;
using deskext::platform::File;

namespace {

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::span<const std::byte> bytes_of(std::string_view text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

// What read_at gives for `size` bytes at `offset`.
std::string read_at(File& file, std::size_t size, std::int64_t offset) {
    std::string out(size, '\0');
    auto n = file.read_at(std::as_writable_bytes(std::span(out)), offset);
    REQUIRE(n);
    out.resize(*n);
    return out;
}

#ifndef _WIN32
std::uint32_t mode_of(const fs::path& path) {
    // The permission bits of lstat(2)'s st_mode.
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(path, ec);
    REQUIRE_FALSE(ec);
    return static_cast<std::uint32_t>(status.permissions()) & 07777U;
}
#endif

#ifndef _WIN32
// Sets the process's umask for the scope.
class ScopedUmask {
public:
    explicit ScopedUmask(mode_t mask) : m_old(::umask(mask)) {}
    ~ScopedUmask() { ::umask(m_old); }
    ScopedUmask(const ScopedUmask&) = delete;
    ScopedUmask& operator=(const ScopedUmask&) = delete;

private:
    mode_t m_old;
};
#endif

}  // namespace

TEST_CASE("file: read_at reads at any offset, in any order", "[platform][file]") {
    TempDir dir;
    write_text(dir / "data", "0123456789");
    auto file = File::open_read(dir / "data");
    REQUIRE(file);
    CHECK(file->is_open());
    CHECK(file->path() == dir / "data");
    CHECK(read_at(*file, 3, 7) == "789");
    CHECK(read_at(*file, 4, 0) == "0123");  // no file position moved by the first read
    CHECK(read_at(*file, 100, 5) == "56789");
    CHECK(read_at(*file, 4, 10).empty());  // the end
    CHECK(read_at(*file, 4, 50).empty());  // past it
    CHECK(read_at(*file, 0, 0).empty());
}

TEST_CASE("file: open_read reports what is not a readable file", "[platform][file]") {
    TempDir dir;
    SECTION("a missing file is not_found, named") {
        auto file = File::open_read(dir / "missing");
        REQUIRE_FALSE(file);
        CHECK(file.error().code == ErrorCode::not_found);
        CHECK(file.error().message == "no such file: " + (dir / "missing").string());
    }
    SECTION("a file below a file is not_found too") {
        write_text(dir / "plain", "x");
        auto file = File::open_read(dir / "plain" / "below");
        REQUIRE_FALSE(file);
        CHECK(file.error().code == ErrorCode::not_found);
    }
    SECTION("a directory is refused") {
        auto file = File::open_read(dir.path());
        REQUIRE_FALSE(file);
        CHECK(file.error().code == ErrorCode::filesystem);
        CHECK(file.error().message == "cannot read " + dir.path().string() + ": it is a directory");
    }
}

TEST_CASE("file: create_new writes a new file with the mode asked for", "[platform][file]") {
    TempDir dir;
#ifndef _WIN32
    const ScopedUmask umask(022);
#endif
    const std::uint32_t mode = GENERATE(0600U, 0644U, 0755U, 0666U);
    CAPTURE(mode);
    const auto path = dir / "out";
    {
        auto file = File::create_new(path, mode);
        REQUIRE(file);
        REQUIRE(file->write(bytes_of("hello, ")));
        REQUIRE(file->write(bytes_of("world")));
        REQUIRE(file->write({}));
        file->start_writeback();
        REQUIRE(file->close());
        CHECK_FALSE(file->is_open());
        CHECK(file->close());  // closing again does nothing
    }
    CHECK(read_all(path) == "hello, world");
#ifdef _WIN32
    // Windows keeps only the owner's write bit, as the read-only attribute (fs.hpp, has_mode).
    CHECK(deskext::platform::has_mode(path, mode).value_or(false));
#else
    CHECK(mode_of(path) == mode);  // whatever the umask
#endif
}

TEST_CASE("file: create_new creates the missing directories above", "[platform][file]") {
    TempDir dir;
    const auto path = dir / "a" / "b" / "c.txt";
    auto file = File::create_new(path, 0644);
    REQUIRE(file);
    REQUIRE(file->write(bytes_of("deep")));
    REQUIRE(file->close());
    CHECK(read_all(path) == "deep");
#ifndef _WIN32
    CHECK(mode_of(dir / "a" / "b") == 0755);  // Windows directories have no mode
#endif
}

TEST_CASE("file: create_new never replaces nor follows what is there", "[platform][file]") {
    TempDir dir;
    TempDir outside;
    SECTION("an existing file") {
        write_text(dir / "taken", "old");
        auto file = File::create_new(dir / "taken", 0644);
        REQUIRE_FALSE(file);
        CHECK(file.error().code == ErrorCode::filesystem);
        CHECK_THAT(file.error().message,
                   Catch::StartsWith("cannot create " + (dir / "taken").string() + ": ") &&
                       Catch::Contains("File exists"));
        CHECK(read_all(dir / "taken") == "old");
    }
#ifndef _WIN32
    // Symbolic links on disk: POSIX only.
    SECTION("a symbolic link to a missing file") {
        fs::create_symlink(outside / "target", dir / "link");
        auto file = File::create_new(dir / "link", 0644);
        REQUIRE_FALSE(file);
        CHECK(file.error().code == ErrorCode::filesystem);
        CHECK_FALSE(fs::exists(outside / "target"));
    }
    SECTION("a symbolic link to an existing file") {
        write_text(outside / "target", "untouched");
        fs::create_symlink(outside / "target", dir / "link");
        REQUIRE_FALSE(File::create_new(dir / "link", 0644));
        CHECK(read_all(outside / "target") == "untouched");
    }
#endif
}

TEST_CASE("file: a moved file is open in its new owner only", "[platform][file]") {
    TempDir dir;
    write_text(dir / "data", "abc");
    auto opened = File::open_read(dir / "data");
    REQUIRE(opened);
    File moved = std::move(*opened);
    CHECK_FALSE(opened->is_open());
    REQUIRE(moved.is_open());
    CHECK(read_at(moved, 3, 0) == "abc");

    File assigned;
    CHECK_FALSE(assigned.is_open());
    assigned = std::move(moved);
    CHECK_FALSE(moved.is_open());
    CHECK(read_at(assigned, 2, 1) == "bc");
}
