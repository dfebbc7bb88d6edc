// Comparing a directory with its state record, and the check of a staged tree before the swap.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "deskext/digest.hpp"
#include "deskext/install/verify.hpp"
#include "fixtures/temp_dir.hpp"

using namespace deskext;
namespace fs = std::filesystem;

namespace {

const std::string metadata = R"({"icon": "icon.svg",
  "ui": {"dashboard-tab": {"title": "T", "src": "index.html", "root": "/ui"}},
  "host": {"binaries": [{"linux": [{"path": "/linux/tool"}]}]}})";

void write(const fs::path& path, const std::string& data, fs::perms mode = fs::perms(0644)) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
    fs::permissions(path, mode);
}

// A staged extension and the state that records it.
InstallState make_extension(const fs::path& dir) {
    InstallState state;
    state.name = "acme_ext";
    state.binaries = {"host/tool"};
    auto add = [&](const std::string& rel, const std::string& data, std::uint32_t mode) {
        write(dir / rel, data, fs::perms(mode));
        InstalledFile file;
        file.path = rel;
        file.sha256 = sha256_of(data).hex();
        file.mode = mode;
        file.size = static_cast<std::int64_t>(data.size());
        state.files.push_back(file);
    };
    add("host/tool", "#!/bin/sh\n", 0755);
    add("icon.svg", "<svg/>", 0644);
    add("metadata.json", metadata, 0644);
    add("ui/ui/index.html", "<html/>", 0644);
    write(dir / ".deskext/state.json", "{}");
    return state;
}

}  // namespace

TEST_CASE("verify: an untouched tree has no drift", "[install][verify]") {
    fixtures::TempDir dir;
    auto state = make_extension(dir.path());
    auto drift = compare_with_state(dir.path(), state);
    REQUIRE(drift);
    CHECK(drift->empty());
    CHECK(check_staged(dir.path(), state, {}));
}

// [posix]: a mode drift (0755 to 0700, which Windows cannot tell apart) and a symbolic link.
TEST_CASE("verify: every kind of drift, sorted by path", "[install][verify][posix]") {
    fixtures::TempDir dir;
    auto state = make_extension(dir.path());
    write(dir / "ui/ui/index.html", "<html>changed</html>");
    fs::remove(dir / "icon.svg");
    fs::permissions(dir / "host/tool", fs::perms(0700));
    write(dir / "ui/new.js", "x");
    fs::create_symlink("/etc/passwd", dir / "host/link");
    write(dir / ".deskext/other", "deskext's own");  // not drift
    auto drift = compare_with_state(dir.path(), state);
    REQUIRE(drift);
    std::vector<std::pair<std::string, std::string>> found;
    for (const auto& d : *drift) found.emplace_back(d.path, d.problem);
    CHECK(found ==
          std::vector<std::pair<std::string, std::string>>{{"host/link", "extra"},
                                                           {"host/tool", "mode"},
                                                           {"icon.svg", "missing"},
                                                           {"ui/new.js", "extra"},
                                                           {"ui/ui/index.html", "changed"}});
}

// [posix]: a symbolic link on disk.
TEST_CASE("verify: a recorded file replaced by a link is changed, not followed",
          "[install][verify][posix]") {
    fixtures::TempDir dir;
    auto state = make_extension(dir.path());
    fs::remove(dir / "icon.svg");
    fs::create_symlink("/etc/hostname", dir / "icon.svg");
    auto drift = compare_with_state(dir.path(), state);
    REQUIRE(drift);
    REQUIRE(drift->size() == 1);
    CHECK((*drift)[0].path == "icon.svg");
    CHECK((*drift)[0].problem == "changed");
}

TEST_CASE("verify: a staged tree is refused when incomplete", "[install][verify]") {
    fixtures::TempDir dir;
    auto state = make_extension(dir.path());
    SECTION("no icon") { fs::remove(dir / "icon.svg"); }
    SECTION("no UI root") { fs::remove_all(dir / "ui/ui"); }
    SECTION("a declared binary missing") { fs::remove(dir / "host/tool"); }
    SECTION("metadata.json that does not parse") { write(dir / "metadata.json", "{ not json"); }
    SECTION("a file that differs from the record") {
        write(dir / "host/tool", "#!/bin/sh\necho other\n", fs::perms(0755));
    }
    auto checked = check_staged(dir.path(), state, {});
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == ErrorCode::invalid_extension);
    CHECK(checked.error().message.find("incomplete") != std::string::npos);
}

TEST_CASE("verify: files hashed from the stage are not hashed again, but still checked",
          "[install][verify]") {
    fixtures::TempDir dir;
    auto state = make_extension(dir.path());
    const std::set<std::string> known{"host/tool", "ui/ui/index.html"};
    // Same size, other bytes: the content of a known file is taken as hashed.
    write(dir / "ui/ui/index.html", "<html!>", fs::perms(0644));
    CHECK(check_staged(dir.path(), state, {}, known));
    CHECK_FALSE(check_staged(dir.path(), state, {}));

    SECTION("another size") { write(dir / "ui/ui/index.html", "<html></html>"); }
    SECTION("missing") { fs::remove(dir / "ui/ui/index.html"); }
#ifndef _WIN32
    // Modes and symbolic links on disk: POSIX only.
    SECTION("another mode") { fs::permissions(dir / "host/tool", fs::perms(0700)); }
    SECTION("a link in its place") {
        fs::remove(dir / "host/tool");
        fs::create_symlink("/bin/sh", dir / "host/tool");
    }
#endif
    auto checked = check_staged(dir.path(), state, {}, known);
    REQUIRE_FALSE(checked);
    CHECK(checked.error().code == ErrorCode::invalid_extension);
}
