// The rename-based swap used where the OS has no atomic exchange (Windows, file systems without
// RENAME_EXCHANGE): exercised directly here, since on this Linux host exchange_directories always
// takes the atomic path.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "common/exchange_fallback.hpp"
#include "fixtures/temp_dir.hpp"

namespace fs = std::filesystem;
using deskext::fixtures::TempDir;

namespace {

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

}  // namespace

TEST_CASE("platform: exchange_by_renames swaps two directories", "[platform][fs]") {
    TempDir dir;
    fs::create_directories(dir / "a");
    fs::create_directories(dir / "b" / "sub");
    write_text(dir / "a" / "from-a", "A");
    write_text(dir / "b" / "sub" / "from-b", "B");

    REQUIRE(deskext::platform::detail::exchange_by_renames(dir / "a", dir / "b"));
    CHECK(read_all(dir / "b" / "from-a") == "A");
    CHECK(read_all(dir / "a" / "sub" / "from-b") == "B");

    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        names.insert(entry.path().filename().string());
    }
    CHECK(names == std::set<std::string>{"a", "b"});
}

TEST_CASE("platform: exchange_by_renames puts a back when b is missing", "[platform][fs]") {
    TempDir dir;
    fs::create_directories(dir / "a");
    write_text(dir / "a" / "f", "A");

    const auto result = deskext::platform::detail::exchange_by_renames(dir / "a", dir / "b");
    REQUIRE_FALSE(result);
    CHECK(result.error().code == deskext::ErrorCode::filesystem);
    CHECK_THAT(result.error().message, Catch::Contains((dir / "b").string()));
    CHECK(read_all(dir / "a" / "f") == "A");

    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        names.insert(entry.path().filename().string());
    }
    CHECK(names == std::set<std::string>{"a"});
}
