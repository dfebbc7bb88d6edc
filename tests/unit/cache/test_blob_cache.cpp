#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "cache/blob_cache.hpp"
#include "fixtures/temp_dir.hpp"

using deskext::ErrorCode;
using deskext::sha256_of;
using deskext::cache::BlobCache;
using deskext::fixtures::TempDir;

namespace {

std::string read_entry(BlobCache& cache, const deskext::Digest& digest, std::int64_t size) {
    auto reader = cache.open_entry(digest, size);
    REQUIRE(reader);
    auto text = deskext::read_all(**reader, 1 << 20);
    REQUIRE(text);
    return *text;
}

}  // namespace

TEST_CASE("cache: entries appear only once written whole and verified", "[cache]") {
    TempDir tmp;
    auto opened = BlobCache::open(tmp / "cache");
    REQUIRE(opened);
    auto& cache = *opened;
    const std::string blob = "layer bytes";
    const auto digest = sha256_of(blob);
    const auto size = static_cast<std::int64_t>(blob.size());

    CHECK_FALSE(*cache.has(digest, size));
    {
        auto writer = cache.begin(digest, size);
        REQUIRE(writer);
        REQUIRE(writer->write("layer "));
        CHECK_FALSE(*cache.has(digest, size));  // nothing visible before commit
        REQUIRE(writer->restart());             // a restart forgets what was written
        REQUIRE(writer->write(blob));
        REQUIRE(writer->commit());
    }
    CHECK(*cache.has(digest, size));
    CHECK(std::filesystem::exists(tmp / "cache" / "blobs" / "sha256" / digest.hex()));
    CHECK(read_entry(cache, digest, size) == blob);

    // No temporary file is left behind.
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& e :
         std::filesystem::directory_iterator(tmp / "cache" / "blobs" / "sha256"))
        ++files;
    CHECK(files == 1);
}

TEST_CASE("cache: a wrong, short or long blob never becomes an entry", "[cache]") {
    TempDir tmp;
    auto cache = BlobCache::open(tmp.path());
    REQUIRE(cache);
    const std::string blob = "expected";
    const auto digest = sha256_of(blob);
    const auto size = static_cast<std::int64_t>(blob.size());
    {
        auto writer = cache->begin(digest, size);
        REQUIRE(writer);
        REQUIRE(writer->write("EXPECTED"));
        auto committed = writer->commit();
        REQUIRE_FALSE(committed);
        CHECK(committed.error().code == ErrorCode::integrity);
    }
    {
        auto writer = cache->begin(digest, size);
        REQUIRE(writer);
        REQUIRE(writer->write("expect"));
        CHECK(writer->commit().error().code == ErrorCode::integrity);
    }
    {
        auto writer = cache->begin(digest, size);
        REQUIRE(writer);
        CHECK(writer->write("expected!").error().code == ErrorCode::integrity);
    }
    {
        auto writer = cache->begin(digest, size);  // dropped without commit
        REQUIRE(writer);
        REQUIRE(writer->write(blob));
    }
    CHECK_FALSE(*cache->has(digest, size));
    CHECK(std::filesystem::is_empty(tmp / "blobs" / "sha256"));
    CHECK(cache->open_entry(digest, size).error().code == ErrorCode::not_found);
}

TEST_CASE("cache: a damaged entry is discarded when a new process reads it", "[cache]") {
    TempDir tmp;
    const std::string blob = "good content";
    const auto digest = sha256_of(blob);
    const auto size = static_cast<std::int64_t>(blob.size());
    {
        auto cache = BlobCache::open(tmp.path());
        REQUIRE(cache);
        auto writer = cache->begin(digest, size);
        REQUIRE(writer);
        REQUIRE(writer->write(blob));
        REQUIRE(writer->commit());
    }
    // Same size, different bytes: only hashing finds it.
    std::ofstream(tmp / "blobs" / "sha256" / digest.hex(), std::ios::binary) << "bad content!";
    auto fresh = BlobCache::open(tmp.path());  // "a new process"
    REQUIRE(fresh);
    CHECK_FALSE(*fresh->has(digest, size));
    CHECK_FALSE(std::filesystem::exists(tmp / "blobs" / "sha256" / digest.hex()));
    CHECK(fresh->path_of(deskext::Digest()).error().code == ErrorCode::usage);
}
