#include <catch2/catch.hpp>

#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <system_error>

#include "deskext/platform/fs.hpp"
#include "fixtures/temp_dir.hpp"

namespace fs = std::filesystem;
using deskext::ErrorCode;
using deskext::fixtures::TempDir;
namespace platform = deskext::platform;

namespace {

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

std::uint32_t mode_of(const fs::path& path) {
    // The permission bits of lstat(2)'s st_mode.
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(path, ec);
    REQUIRE_FALSE(ec);
    return static_cast<std::uint32_t>(status.permissions()) & 07777U;
}

}  // namespace

TEST_CASE("platform: resolve_in_root joins a safe relative path", "[platform][fs]") {
    TempDir root;
    fs::create_directories(root / "host" / "darwin");
    auto resolved = platform::resolve_in_root(root.path(), "host/darwin/kubectl");
    REQUIRE(resolved);
    CHECK(*resolved == root.path() / "host" / "darwin" / "kubectl");

    // Components that do not exist yet are fine: the installer creates them.
    resolved = platform::resolve_in_root(root.path(), "ui/dist/index.html");
    REQUIRE(resolved);
    CHECK(*resolved == root.path() / "ui" / "dist" / "index.html");

    // A "." component is harmless and dropped.
    CHECK(platform::resolve_in_root(root.path(), "./metadata.json").value() ==
          root.path() / "metadata.json");
}

TEST_CASE("platform: resolve_in_root refuses paths that leave the root", "[platform][fs]") {
    TempDir root;
    const std::string relative =
        GENERATE(as<std::string>{}, "..", "../etc/passwd", "a/../../b", "a/..", "/etc/passwd", "/",
                 "", "a//b", "a/", "host\\..\\x", std::string("a\0b", 3));
    CAPTURE(relative);
    const auto resolved = platform::resolve_in_root(root.path(), relative);
    REQUIRE_FALSE(resolved);
    CHECK(resolved.error().code == ErrorCode::invalid_extension);
    CHECK_THAT(resolved.error().message, Catch::Contains("unsafe path"));
}

TEST_CASE("platform: resolve_in_root names the offending path", "[platform][fs]") {
    TempDir root;
    const auto resolved = platform::resolve_in_root(root.path(), "ui/../../outside");
    REQUIRE_FALSE(resolved);
    CHECK_THAT(resolved.error().message, Catch::Contains("\"ui/../../outside\""));
}

// [posix]: symbolic links on disk (Windows makes none without privileges).
TEST_CASE("platform: resolve_in_root refuses a symlinked component", "[platform][fs][posix]") {
    TempDir root;
    TempDir outside;
    fs::create_directories(root / "ui");
    fs::create_directory_symlink(outside.path(), root / "ui" / "dist");
    fs::create_symlink(outside / "file", root / "metadata.json");

    auto resolved = platform::resolve_in_root(root.path(), "ui/dist/index.html");
    REQUIRE_FALSE(resolved);
    CHECK(resolved.error().code == ErrorCode::invalid_extension);
    CHECK_THAT(resolved.error().message,
               Catch::Contains("ui/dist/index.html") && Catch::Contains("symbolic link"));

    // The last component counts too: writing through it would land outside.
    resolved = platform::resolve_in_root(root.path(), "metadata.json");
    REQUIRE_FALSE(resolved);
    CHECK(resolved.error().code == ErrorCode::invalid_extension);
}

TEST_CASE("platform: atomic_rename moves and replaces", "[platform][fs]") {
    TempDir dir;
    write_text(dir / "a", "new");
    write_text(dir / "b", "old");
    REQUIRE(platform::atomic_rename(dir / "a", dir / "b"));
    CHECK_FALSE(fs::exists(dir / "a"));
    CHECK(read_all(dir / "b") == "new");

    const auto missing = platform::atomic_rename(dir / "nope", dir / "c");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::filesystem);
    CHECK_THAT(missing.error().message,
               Catch::StartsWith("cannot rename " + (dir / "nope").string() + " to " +
                                 (dir / "c").string() + ": "));
#ifndef _WIN32
    // strerror's words; Windows words its reasons itself (FormatMessage).
    CHECK_THAT(missing.error().message, Catch::Contains("No such file or directory"));
#endif
}

TEST_CASE("platform: exchange_directories swaps two populated directories", "[platform][fs]") {
    TempDir dir;
    fs::create_directories(dir / "current" / "sub");
    fs::create_directories(dir / "staged");
    write_text(dir / "current" / "sub" / "old.txt", "old");
    write_text(dir / "staged" / "new.txt", "new");

    const auto swapped = platform::exchange_directories(dir / "staged", dir / "current");
    REQUIRE(swapped);
#ifndef _WIN32
    CHECK(*swapped);  // renameat2(RENAME_EXCHANGE) on Linux: one atomic step
#endif
    CHECK(read_all(dir / "current" / "new.txt") == "new");
    CHECK(read_all(dir / "staged" / "sub" / "old.txt") == "old");
    CHECK_FALSE(fs::exists(dir / "current" / "sub"));

    // No sibling left behind.
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        names.insert(entry.path().filename().string());
    }
    CHECK(names == std::set<std::string>{"current", "staged"});
}

TEST_CASE("platform: exchange_directories refuses what is not a directory", "[platform][fs]") {
    TempDir dir;
    fs::create_directories(dir / "a");
    const auto missing = platform::exchange_directories(dir / "a", dir / "b");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::filesystem);
    CHECK_THAT(missing.error().message, Catch::Contains((dir / "b").string()));

#ifndef _WIN32
    // A symbolic link on disk: POSIX only.
    fs::create_directory_symlink(dir / "a", dir / "link");
    const auto link = platform::exchange_directories(dir / "a", dir / "link");
    REQUIRE_FALSE(link);
    CHECK_THAT(link.error().message, Catch::Contains((dir / "link").string()));
    CHECK(fs::is_symlink(dir / "link"));
#endif
}

TEST_CASE("platform: fsync_path flushes files and directories", "[platform][fs]") {
    TempDir dir;
    write_text(dir / "f", "data");
    CHECK(platform::fsync_path(dir / "f"));
    CHECK(platform::fsync_path(dir.path()));
    const auto missing = platform::fsync_path(dir / "missing");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::filesystem);
}

// [posix]: permission bits (Windows keeps only the read-only attribute).
TEST_CASE("platform: set_mode strips special bits and world write", "[platform][fs][posix]") {
    TempDir dir;
    write_text(dir / "bin", "#!/bin/sh\n");
    const auto [requested, expected] = GENERATE(table<std::uint32_t, std::uint32_t>({
        {0755, 0755},
        {0644, 0644},
        {04755, 0755},
        {02755, 0755},
        {01777, 0775},
        {0777, 0775},
        {0666, 0664},
        {07777, 0775},
        {0700, 0700},
        {0, 0},
    }));
    CAPTURE(requested);
    REQUIRE(platform::set_mode(dir / "bin", requested));
    CHECK(mode_of(dir / "bin") == expected);

    fs::create_directory(dir / "d");
    REQUIRE(platform::set_mode(dir / "d", requested | 0700));
    CHECK(mode_of(dir / "d") == (expected | 0700));
}

// [posix]: a symbolic link on disk and permission bits.
TEST_CASE("platform: set_mode never acts through a symlink", "[platform][fs][posix]") {
    TempDir dir;
    TempDir outside;
    write_text(outside / "target", "x");
    fs::permissions(outside / "target", fs::perms(0600));
    fs::create_symlink(outside / "target", dir / "link");

    const auto result = platform::set_mode(dir / "link", 0755);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::filesystem);
    CHECK_THAT(result.error().message,
               Catch::Contains((dir / "link").string()) && Catch::Contains("symbolic link"));
    CHECK(mode_of(outside / "target") == 0600);
}

TEST_CASE("platform: set_mode reports a missing path", "[platform][fs]") {
    TempDir dir;
    const auto result = platform::set_mode(dir / "missing", 0644);
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::filesystem);
    CHECK_THAT(result.error().message, Catch::Contains((dir / "missing").string()));
}

TEST_CASE("platform: has_mode compares the permission bits, not through a symlink",
          "[platform][fs]") {
    TempDir dir;
    write_text(dir / "tool", "x");
    REQUIRE(platform::set_mode(dir / "tool", 0755));
    CHECK(platform::has_mode(dir / "tool", 0755).value());
    CHECK_FALSE(platform::has_mode(dir / "tool", 0555).value());

#ifndef _WIN32
    // Exact bits and a symbolic link on disk: POSIX only (fs.hpp, has_mode).
    CHECK_FALSE(platform::has_mode(dir / "tool", 0644).value());
    CHECK_FALSE(platform::has_mode(dir / "tool", 0700).value());
    fs::create_symlink(dir / "tool", dir / "link");
    CHECK_FALSE(platform::has_mode(dir / "link", 0755).value());
#endif

    const auto missing = platform::has_mode(dir / "missing", 0644);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::filesystem);
    CHECK_THAT(missing.error().message, Catch::Contains((dir / "missing").string()));
}

TEST_CASE("platform: make_unique_dir creates fresh private directories", "[platform][fs]") {
    TempDir parent;
    std::set<fs::path> made;
    for (int i = 0; i < 20; ++i) {
        const auto dir = platform::make_unique_dir(parent.path(), ".staging-");
        REQUIRE(dir);
        CHECK(dir->parent_path() == parent.path());
        CHECK_THAT(dir->filename().string(), Catch::StartsWith(".staging-"));
        CHECK(dir->filename().string().size() == std::string(".staging-").size() + 14);
        CHECK(fs::is_directory(*dir));
#ifndef _WIN32
        CHECK(mode_of(*dir) == 0700);  // Windows directories have no mode
#endif
        made.insert(*dir);
    }
    CHECK(made.size() == 20);

    const auto missing_parent = platform::make_unique_dir(parent / "missing", "x-");
    REQUIRE_FALSE(missing_parent);
    CHECK(missing_parent.error().code == ErrorCode::filesystem);
}

// [posix]: symbolic links on disk.
TEST_CASE("platform: remove_tree removes a tree without following symlinks",
          "[platform][fs][posix]") {
    TempDir dir;
    TempDir sentinel;
    write_text(sentinel / "keep.txt", "keep");
    fs::create_directories(sentinel / "keep-dir");

    const fs::path tree = dir / "tree";
    fs::create_directories(tree / "a" / "b");
    write_text(tree / "a" / "b" / "f", "x");
    fs::create_directory_symlink(sentinel.path(), tree / "a" / "to-sentinel");
    fs::create_symlink(sentinel / "keep.txt", tree / "file-link");
    // A directory that refuses removal of its entries until made writable again.
    fs::create_directories(tree / "ro" / "inner");
    write_text(tree / "ro" / "inner" / "g", "y");
    fs::permissions(tree / "ro" / "inner", fs::perms(0500));
    fs::permissions(tree / "ro", fs::perms(0));

    REQUIRE(platform::remove_tree(tree));
    CHECK_FALSE(fs::exists(fs::symlink_status(tree)));
    CHECK(read_all(sentinel / "keep.txt") == "keep");
    CHECK(fs::is_directory(sentinel / "keep-dir"));

    // Missing is fine.
    CHECK(platform::remove_tree(tree));

    // A symlink given directly is removed as a link.
    fs::create_directory_symlink(sentinel.path(), dir / "top-link");
    REQUIRE(platform::remove_tree(dir / "top-link"));
    CHECK_FALSE(fs::exists(fs::symlink_status(dir / "top-link")));
    CHECK(fs::is_directory(sentinel / "keep-dir"));
    CHECK(fs::exists(sentinel / "keep.txt"));

    // So is a plain file.
    write_text(dir / "plain", "z");
    REQUIRE(platform::remove_tree(dir / "plain"));
    CHECK_FALSE(fs::exists(dir / "plain"));
}

TEST_CASE("platform: create_directories makes every level", "[platform][fs]") {
    TempDir dir;
    REQUIRE(platform::create_directories(dir / "a" / "b" / "c"));
    CHECK(fs::is_directory(dir / "a" / "b" / "c"));
#ifndef _WIN32
    // POSIX modes: 0755 less the umask. Windows directories have no mode (fs.hpp, has_mode).
    const mode_t umask_now = ::umask(0);
    ::umask(umask_now);
    CHECK(mode_of(dir / "a" / "b" / "c") == (0755U & ~static_cast<std::uint32_t>(umask_now)));
#endif
    // Existing is fine.
    CHECK(platform::create_directories(dir / "a" / "b"));

    write_text(dir / "file", "x");
    const auto blocked = platform::create_directories(dir / "file" / "sub");
    REQUIRE_FALSE(blocked);
    CHECK(blocked.error().code == ErrorCode::filesystem);
    CHECK_THAT(blocked.error().message,
               Catch::StartsWith("cannot create " + (dir / "file").string()) ||
                   Catch::StartsWith("cannot create " + (dir / "file" / "sub").string()));
}

TEST_CASE("platform: write_file creates, truncates and refuses a symlink", "[platform][fs]") {
    TempDir dir;
    REQUIRE(platform::write_file(dir / "f", "hello world"));
    CHECK(read_all(dir / "f") == "hello world");
#ifndef _WIN32
    CHECK((mode_of(dir / "f") & 0644) == (mode_of(dir / "f")));
#endif
    REQUIRE(platform::write_file(dir / "f", "hi"));
    CHECK(read_all(dir / "f") == "hi");
    REQUIRE(platform::write_file(dir / "empty", ""));
    CHECK(fs::file_size(dir / "empty") == 0);

    const std::string big(3 * 1024 * 1024 + 17, 'q');
    REQUIRE(platform::write_file(dir / "big", big));
    CHECK(read_all(dir / "big") == big);

#ifndef _WIN32
    // A symbolic link on disk: POSIX only.
    TempDir outside;
    write_text(outside / "target", "untouched");
    fs::create_symlink(outside / "target", dir / "link");
    const auto through_link = platform::write_file(dir / "link", "evil");
    REQUIRE_FALSE(through_link);
    CHECK(through_link.error().code == ErrorCode::filesystem);
    CHECK(read_all(outside / "target") == "untouched");
#endif

    const auto no_dir = platform::write_file(dir / "missing" / "f", "x");
    REQUIRE_FALSE(no_dir);
#ifdef _WIN32
    // Windows words its reasons itself (FormatMessage).
    CHECK_THAT(no_dir.error().message,
               Catch::StartsWith("cannot create " + (dir / "missing" / "f").string() + ": "));
#else
    CHECK(no_dir.error().message ==
          "cannot create " + (dir / "missing" / "f").string() + ": No such file or directory");
#endif
}

TEST_CASE("platform: fs_error names the action, the path and the reason", "[platform][fs]") {
    const auto error =
        platform::fs_error("create", "/x/y", std::make_error_code(std::errc::no_space_on_device));
    CHECK(error.code == ErrorCode::filesystem);
    CHECK(error.message == "cannot create /x/y: No space left on device");
}

TEST_CASE("fs: copy_to_new_file copies a file to a new one and nothing else", "[platform][fs]") {
    TempDir tmp;
    std::string big(3 * 1024 * 1024 + 17, 'x');
    for (std::size_t i = 0; i < big.size(); i += 4093) big[i] = static_cast<char>('a' + i % 26);
    write_text(tmp / "from", big);
    REQUIRE(platform::copy_to_new_file(tmp / "from", tmp / "to"));
    CHECK(read_all(tmp / "to") == big);
#ifdef _WIN32
    CHECK(platform::has_mode(tmp / "to", 0600).value_or(false));  // not read-only
#else
    CHECK(mode_of(tmp / "to") == 0600);
#endif
    CHECK(read_all(tmp / "from") == big);

    // Never replaces, never writes through a link, never reads through one.
    write_text(tmp / "other", "other");
    auto exists = platform::copy_to_new_file(tmp / "from", tmp / "other");
    REQUIRE_FALSE(exists);
    CHECK(exists.error().code == ErrorCode::filesystem);
    CHECK(read_all(tmp / "other") == "other");
#ifndef _WIN32
    // Symbolic links on disk: POSIX only.
    fs::create_symlink(tmp / "elsewhere", tmp / "dangling");
    CHECK_FALSE(platform::copy_to_new_file(tmp / "from", tmp / "dangling"));
    CHECK_FALSE(fs::exists(tmp / "elsewhere"));
    fs::create_symlink(tmp / "from", tmp / "link");
    CHECK_FALSE(platform::copy_to_new_file(tmp / "link", tmp / "via-link"));
#endif
    CHECK_FALSE(platform::copy_to_new_file(tmp / "missing", tmp / "none"));
    CHECK_FALSE(platform::copy_to_new_file(tmp.path(), tmp / "dir-copy"));
}

TEST_CASE("platform: os_path gives Windows file calls the extended-length form", "[platform][fs]") {
#ifdef _WIN32
    CHECK(platform::os_path(LR"(C:\dir\file.txt)").native() == LR"(\\?\C:\dir\file.txt)");
    // '/' and "." / ".." resolved first: the extended form takes a path as it is.
    CHECK(platform::os_path(L"C:/dir/./sub/../file.txt").native() == LR"(\\?\C:\dir\file.txt)");
    CHECK(platform::os_path(LR"(\\server\share\dir\ext.tar)").native() ==
          LR"(\\?\UNC\server\share\dir\ext.tar)");
    CHECK(platform::os_path(L"//server/share/ext.tar").native() ==
          LR"(\\?\UNC\server\share\ext.tar)");
    // Already extended, or a device path: as it is.
    CHECK(platform::os_path(LR"(\\?\C:\dir\file.txt)").native() == LR"(\\?\C:\dir\file.txt)");
    CHECK(platform::os_path(LR"(\\?\UNC\server\share\x)").native() == LR"(\\?\UNC\server\share\x)");
    CHECK(platform::os_path(LR"(\\.\pipe\name)").native() == LR"(\\.\pipe\name)");
    // A relative path is made absolute, from the current directory.
    const auto relative = platform::os_path(L"some-file").native();
    CHECK(relative.starts_with(LR"(\\?\)"));
    CHECK(relative.ends_with(LR"(\some-file)"));
#else
    CHECK(platform::os_path("/dir/file.txt") == fs::path("/dir/file.txt"));
    CHECK(platform::os_path("relative/x") == fs::path("relative/x"));
#endif
    // Paths longer than MAX_PATH (260) work through it, in every call of the platform layer.
    TempDir tmp;
    auto deep = tmp.path();
    while (deep.native().size() < 300) deep /= std::string(50, 'd');
    REQUIRE(platform::create_directories(deep / "a" / "b"));
    REQUIRE(platform::write_file(deep / "a" / "b" / "file.txt", "text"));
    REQUIRE(platform::atomic_rename(deep / "a" / "b" / "file.txt", deep / "a" / "moved.txt"));
    REQUIRE(platform::copy_to_new_file(deep / "a" / "moved.txt", deep / "a" / "copy.txt"));
    REQUIRE(platform::fsync_path(deep / "a" / "copy.txt"));
    REQUIRE(platform::set_mode(deep / "a" / "copy.txt", 0644));
    const auto made = platform::make_unique_dir(deep, "x-");
    REQUIRE(made);
    REQUIRE(platform::exchange_directories(*made, deep / "a"));
    CHECK(platform::resolve_in_root(deep, "x").has_value());
    REQUIRE(platform::remove_tree(tmp.path() / std::string(50, 'd')));
    CHECK(fs::is_empty(tmp.path()));
}
