#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "deskext/platform/directory.hpp"
#include "deskext/platform/fs.hpp"
#include "fixtures/temp_dir.hpp"

namespace fs = std::filesystem;
using deskext::fixtures::TempDir;
namespace platform = deskext::platform;

namespace {

std::map<std::string, platform::EntryType> listed(const fs::path& dir) {
    auto entries = platform::list_directory(dir);
    REQUIRE(entries.has_value());
    std::map<std::string, platform::EntryType> out;
    for (const auto& entry : *entries) out.emplace(entry.name.string(), entry.type);
    return out;
}

}  // namespace

TEST_CASE("platform: list_directory lists names and types, at any depth", "[platform][fs]") {
    TempDir tmp;
    auto dir = tmp.path();
    // Past MAX_PATH (260), which std::filesystem's iterators do not reach on Windows.
    while (dir.native().size() < 300) dir /= std::string(50, 'd');
    REQUIRE(platform::create_directories(dir / "sub"));
    REQUIRE(platform::write_file(dir / "file.txt", "x"));
    CHECK(listed(dir) ==
          std::map<std::string, platform::EntryType>{{"file.txt", platform::EntryType::file},
                                                     {"sub", platform::EntryType::directory}});
    CHECK(listed(dir / "sub").empty());

    auto missing = platform::list_directory(tmp / "missing");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == deskext::ErrorCode::filesystem);
    CHECK_THAT(missing.error().message, Catch::StartsWith("cannot list "));
    REQUIRE(platform::remove_tree(tmp / std::string(50, 'd')));
}

TEST_CASE("platform: list_directory reports a link as itself", "[platform][fs][posix]") {
    TempDir tmp;
    fs::create_directories(tmp / "target");
    fs::create_directory_symlink(tmp / "target", tmp / "link");
    CHECK(listed(tmp.path()) ==
          std::map<std::string, platform::EntryType>{{"link", platform::EntryType::symlink},
                                                     {"target", platform::EntryType::directory}});
}
