#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "cache/blob_cache.hpp"
#include "cache/manifest_store.hpp"
#include "deskext/cache/cache_upkeep.hpp"
#include "deskext/install/state.hpp"
#include "fixtures/files.hpp"
#include "fixtures/temp_dir.hpp"

using namespace deskext;
using deskext::fixtures::names_in;
using deskext::fixtures::TempDir;
namespace fs = std::filesystem;

namespace {

// A blob of `text` committed to the cache; its digest.
Digest put_blob(cache::BlobCache& cache, const std::string& text) {
    const auto digest = sha256_of(text);
    auto writer = cache.begin(digest, static_cast<std::int64_t>(text.size()));
    REQUIRE(writer);
    REQUIRE(writer->write(text));
    REQUIRE(writer->commit());
    return digest;
}

// An extension `name` in `root` whose state record names `blobs` and `manifest`.
void install_record(const fs::path& root, const std::string& name,
                    const std::vector<Digest>& blobs, const std::string& manifest) {
    InstallState state;
    state.name = name;
    state.manifest_digest = manifest;
    state.platform = "linux/amd64";
    for (const auto& blob : blobs) state.blobs.push_back(blob.str());
    fs::create_directories(root / name / ".deskext");
    std::ofstream(root / name / ".deskext" / "state.json") << to_json_text(state);
}

std::vector<std::string> blob_names(const fs::path& dir) {
    return names_in(dir / "blobs" / "sha256");
}

// Sets an entry's last use `age` ago.
void used_ago(const fs::path& entry, std::chrono::seconds age) {
    fs::last_write_time(entry, fs::file_time_type::clock::now() - age);
}

}  // namespace

TEST_CASE("cache upkeep: a prune keeps what the registered roots need, and nothing else",
          "[cache]") {
    TempDir tmp;
    const auto dir = tmp / "cache";
    const auto root = tmp / "root";
    const auto gone = tmp / "gone";
    Digest needed, other, orphan;
    {
        auto opened = cache::BlobCache::open(dir);
        REQUIRE(opened);
        needed = put_blob(*opened, "needed layer");
        other = put_blob(*opened, "another root's layer");
        orphan = put_blob(*opened, "nobody's layer");
    }
    install_record(root, "acme_ext", {needed}, "sha256:" + std::string(64, 'a'));
    install_record(gone, "acme_ext", {other}, "sha256:" + std::string(64, 'b'));
    REQUIRE(cache::register_root(dir, root));
    REQUIRE(cache::register_root(dir, gone));
    REQUIRE(cache::register_root(dir, root / "." / ".."  / "root"));  // the same root again
    CHECK(names_in(dir / "roots").size() == 2);
    std::ofstream(dir / "blobs" / "sha256" / ".tmp-0123456789abcdef-dead") << "half";

    auto listed = cache::list_cache(dir, root);
    REQUIRE(listed);
    REQUIRE(listed->size() == 3);
    for (const auto& entry : *listed) {
        CHECK(entry.kind == cache::EntryKind::blob);
        CHECK(entry.needed == (entry.digest == needed.str()));
    }

    auto pruned = cache::prune_cache(dir, {});
    REQUIRE(pruned);
    CHECK(pruned->removed == 2);  // the orphan and the temporary file
    CHECK(pruned->kept == 2);
    CHECK((blob_names(dir) == std::vector<std::string>{needed.hex(), other.hex()} ||
           blob_names(dir) == std::vector<std::string>{other.hex(), needed.hex()}));

    // A root that is gone is forgotten, and what only it needed goes.
    fs::remove_all(gone);
    pruned = cache::prune_cache(dir, {});
    REQUIRE(pruned);
    CHECK(pruned->freed == static_cast<std::int64_t>(std::string("another root's layer").size()));
    CHECK(blob_names(dir) == std::vector<std::string>{needed.hex()});
    CHECK(names_in(dir / "roots").size() == 1);

    pruned = cache::prune_cache(dir, {cache::PruneMode::all});
    REQUIRE(pruned);
    CHECK(pruned->removed == 1);
    CHECK(blob_names(dir).empty());
}

TEST_CASE("cache upkeep: past the cap the least recently used entries go, needed or not",
          "[cache]") {
    TempDir tmp;
    const auto dir = tmp / "cache";
    const auto root = tmp / "root";
    std::vector<Digest> blobs;
    {
        auto opened = cache::BlobCache::open(dir);
        REQUIRE(opened);
        for (const auto* text : {"oldest-", "middle-", "newest-"})
            blobs.push_back(put_blob(*opened, text));
        used_ago(*opened->path_of(blobs[0]), std::chrono::seconds(300));
        used_ago(*opened->path_of(blobs[1]), std::chrono::seconds(200));
        used_ago(*opened->path_of(blobs[2]), std::chrono::seconds(100));
        // Found by an install: used now, the most recent of all.
        REQUIRE(*opened->has(blobs[0], 7));
    }
    install_record(root, "acme_ext", blobs, "sha256:" + std::string(64, 'a'));
    REQUIRE(cache::register_root(dir, root));

    auto pruned = cache::prune_cache(dir, {cache::PruneMode::unneeded, 14});
    REQUIRE(pruned);
    CHECK(pruned->freed == 7);
    CHECK(pruned->kept_bytes == 14);
    CHECK((blob_names(dir) == std::vector<std::string>{blobs[0].hex(), blobs[2].hex()} ||
           blob_names(dir) == std::vector<std::string>{blobs[2].hex(), blobs[0].hex()}));
}

TEST_CASE("cache upkeep: manifests the cache holds name the blobs to keep", "[cache]") {
    TempDir tmp;
    const auto dir = tmp / "cache";
    const auto root = tmp / "root";
    auto opened = cache::BlobCache::open(dir);
    REQUIRE(opened);
    const auto config = put_blob(*opened, "config");
    const auto layer = put_blob(*opened, "layer");
    const std::string manifest = "{\"config\":{\"digest\":\"" + config.str() +
                                 "\"},\"layers\":[{\"digest\":\"" + layer.str() + "\"}]}";
    REQUIRE(cache::write_manifest(*opened, sha256_of(manifest), manifest));
    // A record written before `blobs` was kept: the cached manifest names them.
    install_record(root, "acme_ext", {}, sha256_of(manifest).str());
    auto listed = cache::list_cache(dir, root);
    REQUIRE(listed);
    CHECK(listed->size() == 3);
    for (const auto& entry : *listed) CHECK(entry.needed);
}

TEST_CASE("cache upkeep: no prune while another process uses the cache", "[cache]") {
    TempDir tmp;
    const auto dir = tmp / "cache";
    auto reader = cache::BlobCache::open(dir);
    REQUIRE(reader);
    put_blob(*reader, "in use");
    auto busy = cache::prune_cache(dir, {cache::PruneMode::all});
    REQUIRE_FALSE(busy);
    CHECK(busy.error().code == ErrorCode::busy);
    CHECK(blob_names(dir).size() == 1);
    // Readers share the cache.
    CHECK(cache::BlobCache::open(dir));

    // An absent cache is left absent.
    auto absent = cache::prune_cache(tmp / "none", {});
    REQUIRE(absent);
    CHECK(absent->removed == 0);
    CHECK_FALSE(fs::exists(tmp / "none"));
}
