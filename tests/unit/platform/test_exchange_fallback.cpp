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
#include "deskext/platform/fs.hpp"
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

TEST_CASE("platform: parked_original reads the name a cut swap parked", "[platform][fs]") {
    using deskext::platform::parked_original;
    CHECK(parked_original(".acme_ext.swap-1a2b-3c4d-5e6f") == "acme_ext");
    CHECK(parked_original(".a.b.swap-x.swap-y") == "a.b.swap-x");
    CHECK_FALSE(parked_original("acme_ext.swap-1a2b"));  // not hidden
    CHECK_FALSE(parked_original(".acme_ext.staging-1a2b"));
    CHECK_FALSE(parked_original("..swap-1a2b"));  // no name before the marker
    CHECK_FALSE(parked_original(".acme_ext"));
}

// A process killed between the renames of exchange_by_renames leaves one of two states; the
// next run's recover_parked turns each into a whole extension under its name.
TEST_CASE("platform: recover_parked finishes a swap cut short", "[platform][fs]") {
    TempDir dir;
    const auto parked = dir / ".ext.swap-0000-0000-0000";
    fs::create_directories(parked);
    write_text(parked / "f", "old");
    SECTION("killed after parking: the old version goes back") {
        fs::create_directories(dir / ".ext.staging-1111");  // the new one, never swapped in
        const auto recovered = deskext::platform::recover_parked(parked);
        REQUIRE(recovered);
        CHECK(*recovered);
        CHECK(read_all(dir / "ext" / "f") == "old");
        CHECK_FALSE(fs::exists(parked));
    }
    SECTION("killed after the new version took the name: the parked one goes") {
        fs::create_directories(dir / "ext");
        write_text(dir / "ext" / "f", "new");
        const auto recovered = deskext::platform::recover_parked(parked);
        REQUIRE(recovered);
        CHECK_FALSE(*recovered);
        CHECK(read_all(dir / "ext" / "f") == "new");
        CHECK_FALSE(fs::exists(parked));
    }
    SECTION("not a parked name: left alone") {
        fs::create_directories(dir / "other");
        const auto recovered = deskext::platform::recover_parked(dir / "other");
        REQUIRE(recovered);
        CHECK_FALSE(*recovered);
        CHECK(fs::exists(dir / "other"));
    }
}
