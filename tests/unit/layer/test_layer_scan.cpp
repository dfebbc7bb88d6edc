#include "deskext/layer/layer_scan.hpp"

#ifndef _WIN32
#include <sys/stat.h>
#endif

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "deskext/oci/media_types.hpp"
#include "deskext/platform/fs.hpp"
#include "fixtures/memory_source.hpp"
#include "fixtures/files.hpp"
#include "fixtures/tar_builder.hpp"
#include "fixtures/temp_dir.hpp"

namespace {

using deskext::Digest;
using deskext::ErrorCode;
using deskext::Limits;
using deskext::Result;
using deskext::fixtures::make_tar;
using deskext::fixtures::read_file;
using deskext::fixtures::TarCompression;
using deskext::fixtures::TarEntry;
using deskext::layer::EntryRef;
using deskext::layer::EntryType;
using deskext::layer::LayerProgress;
using deskext::layer::Placement;
using deskext::oci::Descriptor;
using deskext::oci::Manifest;

using deskext::fixtures::MemorySource;


#ifndef _WIN32
std::uint32_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return static_cast<std::uint32_t>(st.st_mode) & 07777u;
}
#endif

std::string random_bytes(std::size_t n) {
    std::mt19937 gen(11);
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(gen() & 0xffu);
    return out;
}

struct TwoLayerImage {
    MemorySource source;
    Manifest manifest;
    std::string binary = random_bytes(3u << 20);  // larger than one copy buffer
};

void build_two_layers(TwoLayerImage& image) {
    using deskext::fixtures::dir;
    using deskext::fixtures::file;
    image.manifest.layers.push_back(image.source.add_layer(
        {dir("./"), file("./metadata.json", R"({"v":1})"), dir("./docs"),
         file("./docs/readme", "old docs"), dir("./ui"), file("./ui/index.html", "<html>"),
         file("./host/darwin/tool", "darwin tool", 0755), file("./gone.json", "{}")},
        TarCompression::gzip));
    image.manifest.layers.push_back(image.source.add_layer(
        {file(".wh.docs", ""), file("metadata.json", R"({"v":2})"), file(".wh.gone.json", ""),
         file("host/linux/tool", image.binary, 0755),
         deskext::fixtures::hardlink("host/linux/alias", "host/linux/tool")},
        TarCompression::zstd));
}

}  // namespace

TEST_CASE("layer scan: merges layers and captures small files", "[layer]") {
    TwoLayerImage image;
    build_two_layers(image);
    std::map<std::size_t, LayerProgress> last_progress;
    auto progress = [&](const LayerProgress& p) { last_progress[p.layer] = p; };

    auto scan = deskext::layer::scan_layers(image.source, image.manifest,
                                            {"metadata.json", "gone.json", "ui/index.html"},
                                            Limits{}, progress);
    REQUIRE(scan);
    const auto& tree = scan->tree;
    CHECK(tree.find("docs") == nullptr);
    CHECK(tree.find("docs/readme") == nullptr);
    CHECK(tree.find("gone.json") == nullptr);
    REQUIRE(tree.find("host/darwin/tool") != nullptr);
    REQUIRE(tree.find("host/linux/tool") != nullptr);
    CHECK(tree.find("host/linux/alias")->content == tree.find("host/linux/tool")->content);
    CHECK(tree.find("metadata.json")->content == EntryRef{1, 1});

    CHECK(scan->captured.size() == 2);
    CHECK(scan->captured.at("metadata.json") == R"({"v":2})");
    CHECK(scan->captured.at("ui/index.html") == "<html>");
    CHECK(!scan->captured.contains("gone.json"));

    REQUIRE(last_progress.size() == 2);
    for (std::size_t i = 0; i < 2; ++i) {
        CHECK(last_progress[i].bytes_done == image.manifest.layers[i].size);
        CHECK(last_progress[i].bytes_total == image.manifest.layers[i].size);
    }
}

TEST_CASE("layer scan: extracts the entries asked for", "[layer]") {
    TwoLayerImage image;
    build_two_layers(image);
    auto scan = deskext::layer::scan_layers(image.source, image.manifest, {}, Limits{}, {});
    REQUIRE(scan);
    const auto& tree = scan->tree;
    deskext::fixtures::TempDir staging;
    std::filesystem::create_directories(staging / "host");

    const std::vector<Placement> placements = {
        {tree.find("host/linux/tool")->content, staging / "host/tool", 0755},
        {tree.find("host/linux/alias")->content, staging / "host/alias", 0700},
        {tree.find("ui/index.html")->content, staging / "ui/index.html", 0644},
    };
    image.source.opened.clear();
    auto extracted =
        deskext::layer::extract_entries(image.source, image.manifest, placements, Limits{}, {});
    REQUIRE(extracted);
    CHECK(read_file(staging / "host/tool") == image.binary);
    CHECK(read_file(staging / "host/alias") == image.binary);
    CHECK(read_file(staging / "ui/index.html") == "<html>");
#ifdef _WIN32
    // Windows keeps only the owner's write bit, as the read-only attribute (fs.hpp, has_mode).
    CHECK(deskext::platform::has_mode(staging / "host/tool", 0755).value_or(false));
    CHECK(deskext::platform::has_mode(staging / "host/alias", 0700).value_or(false));
    CHECK(deskext::platform::has_mode(staging / "ui/index.html", 0644).value_or(false));
#else
    CHECK(mode_of(staging / "host/tool") == 0755);
    CHECK(mode_of(staging / "host/alias") == 0700);
    CHECK(mode_of(staging / "ui/index.html") == 0644);
#endif
    CHECK(image.source.opened.size() == 2);

    SECTION("only the layers holding wanted entries are read") {
        image.source.opened.clear();
        deskext::fixtures::TempDir other;
        const std::vector<Placement> one = {
            {tree.find("host/darwin/tool")->content, other / "tool", 0755}};
        REQUIRE(deskext::layer::extract_entries(image.source, image.manifest, one, Limits{}, {}));
        CHECK(image.source.opened.size() == 1);
        CHECK(image.source.opened.contains(image.manifest.layers[0].digest));
        CHECK(read_file(other / "tool") == "darwin tool");
    }
#ifndef _WIN32
    // A symbolic link on disk: POSIX only (no unprivileged symlinks on Windows).
    SECTION("an existing destination is never overwritten or followed") {
        deskext::fixtures::TempDir other;
        std::filesystem::create_symlink(staging / "host/tool", other / "link");
        const std::vector<Placement> onto_link = {
            {tree.find("ui/index.html")->content, other / "link", 0644}};
        auto r =
            deskext::layer::extract_entries(image.source, image.manifest, onto_link, Limits{}, {});
        REQUIRE(!r);
        CHECK(r.error().code == ErrorCode::filesystem);
        CHECK(read_file(staging / "host/tool") == image.binary);
    }
#endif
    SECTION("a directory entry cannot be extracted as a file") {
        deskext::fixtures::TempDir other;
        const std::vector<Placement> a_dir = {{tree.find("ui")->content, other / "ui", 0644}};
        auto r = deskext::layer::extract_entries(image.source, image.manifest, a_dir, Limits{}, {});
        REQUIRE(!r);
        CHECK(r.error().code == ErrorCode::invalid_extension);
    }
}

TEST_CASE("layer scan: a corrupted blob is an integrity error", "[layer][hostile]") {
    TwoLayerImage image;
    build_two_layers(image);

    SECTION("a valid tar that is not the blob the digest names") {
        MemorySource& source = image.source;
        // Same entries, one byte of content changed, uncompressed so the size stays the same.
        const std::string good = make_tar({deskext::fixtures::file("metadata.json", "{\"a\":1}")},
                                          TarCompression::none);
        std::string evil = good;
        evil[evil.find("{\"a\":1}") + 5] = '2';
        Descriptor layer;
        layer.media_type = deskext::media_type::oci_layer_tar;
        layer.digest = deskext::sha256_of(good);
        layer.size = static_cast<std::int64_t>(good.size());
        source.blobs[layer.digest] = evil;
        image.manifest.layers = {layer};
        auto scan =
            deskext::layer::scan_layers(source, image.manifest, {"metadata.json"}, Limits{}, {});
        REQUIRE(!scan);
        CHECK(scan.error().code == ErrorCode::integrity);
        CHECK_THAT(scan.error().message, Catch::Contains("layer 0"));

        deskext::fixtures::TempDir staging;
        const std::vector<Placement> placements = {{EntryRef{0, 0}, staging / "m.json", 0644}};
        auto extracted = deskext::layer::extract_entries(source, image.manifest, placements,
                                                         Limits{}, {});
        REQUIRE(!extracted);
        CHECK(extracted.error().code == ErrorCode::integrity);
    }
    SECTION("a compressed blob with a flipped byte") {
        std::string& blob = image.source.blobs[image.manifest.layers[1].digest];
        blob[blob.size() / 2] = static_cast<char>(blob[blob.size() / 2] ^ 0x40);
        auto scan = deskext::layer::scan_layers(image.source, image.manifest, {}, Limits{}, {});
        REQUIRE(!scan);
        // Even when the decompressor notices first, the digest names the cause.
        CHECK(scan.error().code == ErrorCode::integrity);
        CHECK_THAT(scan.error().message, Catch::Contains("layer 1"));
    }
    SECTION("a truncated blob") {
        std::string& blob = image.source.blobs[image.manifest.layers[0].digest];
        blob.resize(blob.size() - 3);
        auto scan = deskext::layer::scan_layers(image.source, image.manifest, {}, Limits{}, {});
        REQUIRE(!scan);
        CHECK(scan.error().code == ErrorCode::integrity);
        CHECK_THAT(scan.error().message, Catch::Contains("layer 0"));
    }
}

TEST_CASE("layer scan: caps on the image", "[layer][hostile]") {
    TwoLayerImage image;
    build_two_layers(image);
    SECTION("number of layers") {
        Limits limits;
        limits.max_layers = 1;
        auto scan = deskext::layer::scan_layers(image.source, image.manifest, {}, limits, {});
        REQUIRE(!scan);
        CHECK(scan.error().code == ErrorCode::invalid_extension);
    }
    SECTION("uncompressed bytes over all layers") {
        Limits limits;
        limits.max_uncompressed_bytes = 3u << 20;  // layer 1 alone is just over it
        auto scan = deskext::layer::scan_layers(image.source, image.manifest, {}, limits, {});
        REQUIRE(!scan);
        CHECK(scan.error().code == ErrorCode::invalid_extension);
        CHECK_THAT(scan.error().message, Catch::Contains("layer 1"));
    }
    SECTION("captured files") {
        Limits limits;
        limits.max_metadata_bytes = 4;
        auto scan = deskext::layer::scan_layers(image.source, image.manifest, {"metadata.json"},
                                                limits, {});
        REQUIRE(!scan);
        CHECK(scan.error().code == ErrorCode::invalid_extension);
        CHECK_THAT(scan.error().message, Catch::Contains("metadata.json"));
    }
}
