#include "cache/manifest_store.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "fixtures/temp_dir.hpp"

using deskext::sha256_of;
using deskext::cache::BlobCache;
using deskext::cache::read_manifest;
using deskext::cache::remove_manifest;
using deskext::cache::write_manifest;

TEST_CASE("manifest store: kept by digest, and read only while it matches it", "[cache]") {
    deskext::fixtures::TempDir tmp;
    auto cache = BlobCache::open(tmp / "cache");
    REQUIRE(cache);
    const std::string manifest = R"({"schemaVersion":2,"layers":[]})";
    const auto digest = sha256_of(manifest);
    const auto file = tmp / "cache" / "manifests" / "sha256" / digest.hex();

    CHECK_FALSE(read_manifest(*cache, digest, 1024));
    REQUIRE(write_manifest(*cache, digest, manifest));
    CHECK(read_manifest(*cache, digest, 1024) == manifest);
    // Nothing but the entry: the temporary file was renamed into place.
    CHECK(std::distance(std::filesystem::directory_iterator(file.parent_path()),
                        std::filesystem::directory_iterator()) == 1);

    SECTION("damaged: dropped") {
        std::ofstream(file, std::ios::binary | std::ios::trunc) << R"({"schemaVersion":3})";
        CHECK_FALSE(read_manifest(*cache, digest, 1024));
        CHECK_FALSE(std::filesystem::exists(file));
    }
    SECTION("cut short by a crash: dropped") {
        std::filesystem::resize_file(file, 10);
        CHECK_FALSE(read_manifest(*cache, digest, 1024));
        CHECK_FALSE(std::filesystem::exists(file));
    }
    SECTION("larger than the cap: not read, dropped") {
        CHECK_FALSE(read_manifest(*cache, digest, 8));
        CHECK_FALSE(std::filesystem::exists(file));
    }
    SECTION("removed") {
        remove_manifest(*cache, digest);
        CHECK_FALSE(read_manifest(*cache, digest, 1024));
    }
}
