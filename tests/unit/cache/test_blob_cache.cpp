#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
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
        REQUIRE(writer->restart());  // the bytes come again from the start
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

TEST_CASE("cache: a blob being written has a hidden name of its own beside the entries",
          "[cache]") {
    TempDir tmp;
    auto cache = BlobCache::open(tmp.path());
    REQUIRE(cache);
    const std::string blob = "layer bytes";
    const auto digest = sha256_of(blob);
    // Two downloads of one blob at once (two deskext processes) write two files.
    auto first = cache->begin(digest, static_cast<std::int64_t>(blob.size()));
    auto second = cache->begin(digest, static_cast<std::int64_t>(blob.size()));
    REQUIRE(first);
    REQUIRE(second);
    const std::regex shape("\\.tmp-" + digest.hex().substr(0, 16) +
                           "-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}");
    for (const auto* writer : {&*first, &*second}) {
        INFO(writer->temp_path());
        CHECK(std::regex_match(writer->temp_path().filename().string(), shape));
        CHECK(writer->temp_path().parent_path() == tmp / "blobs" / "sha256");
    }
    CHECK(first->temp_path() != second->temp_path());
}

TEST_CASE("cache: a download that starts over must bring the bytes the file holds", "[cache]") {
    TempDir tmp;
    auto cache = BlobCache::open(tmp.path());
    REQUIRE(cache);
    const std::string blob = "first half, second half";
    const auto digest = sha256_of(blob);
    const auto size = static_cast<std::int64_t>(blob.size());
    {
        // The file may have been read while it was written: a second attempt is compared with
        // it, not written over it, and the file never shrinks.
        auto writer = cache->begin(digest, size);
        REQUIRE(writer);
        REQUIRE(writer->write("first half, "));
        CHECK(writer->bytes_in_file() == 12);
        REQUIRE(writer->restart());
        CHECK(writer->size() == 0);
        CHECK(writer->bytes_in_file() == 12);
        REQUIRE(writer->write("first"));
        REQUIRE(writer->write(" half, second"));  // part compared, part written
        CHECK(writer->bytes_in_file() == 18);
        REQUIRE(writer->write(" half"));
        REQUIRE(writer->commit());
    }
    CHECK(read_entry(*cache, digest, size) == blob);
    {
        auto writer = cache->begin(digest, size);
        REQUIRE(writer);
        REQUIRE(writer->write("first half, "));
        REQUIRE(writer->restart());
        auto changed = writer->write("FIRST");
        REQUIRE_FALSE(changed);
        CHECK(changed.error().code == ErrorCode::integrity);
        CHECK(changed.error().message.find("changed when its download started over") !=
              std::string::npos);
    }
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

TEST_CASE("cache: a damaged entry is caught when it is read, and can be removed", "[cache]") {
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
    const auto entry = tmp / "blobs" / "sha256" / digest.hex();
    // Same size, different bytes: presence and size are all has() looks at (the entry was
    // verified when it was committed); the read verifies and fails.
    std::ofstream(entry, std::ios::binary) << "bad content!";
    auto fresh = BlobCache::open(tmp.path());  // "a new process"
    REQUIRE(fresh);
    CHECK(*fresh->has(digest, size));
    auto reader = fresh->open_entry(digest, size);
    REQUIRE(reader);
    auto text = deskext::read_all(**reader, 1 << 20);
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::integrity);
    // Closed first: Windows keeps the name of a removed file until its last handle is closed.
    reader->reset();
    fresh->remove(digest);
    CHECK_FALSE(std::filesystem::exists(entry));
    CHECK_FALSE(*fresh->has(digest, size));

    // Another size is seen without reading: removed and reported absent.
    std::ofstream(entry, std::ios::binary) << "short";
    CHECK_FALSE(*fresh->has(digest, size));
    CHECK_FALSE(std::filesystem::exists(entry));
    CHECK(fresh->path_of(deskext::Digest()).error().code == ErrorCode::usage);
}
