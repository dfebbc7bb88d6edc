// Resource exhaustion (SECURITY.md): decompression bombs against the size and ratio caps (and
// the flags that raise them), entry counts, oversized documents capped before parsing, nested
// indexes, huge indexes and layer counts, entries and name bytes across the image, a blob listed
// many times, and an image built to make path resolution slow.

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "deskext/layer/layer_scan.hpp"
#include "deskext/oci/media_types.hpp"
#include "fixtures/memory_source.hpp"
#include "sandbox.hpp"

using namespace deskext;
using namespace deskext::hostile;
using fixtures::file;
using nlohmann::json;

namespace {

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DESKEXT_TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(DESKEXT_TEST_SANITIZED)
constexpr bool k_sanitized = true;  // the deskext under test is the asan build too
#else
constexpr bool k_sanitized = false;
#endif

constexpr int k_usage = 2;
constexpr int k_content = 8;

// Bytes that do not compress (a linear congruential sequence).
std::string incompressible(std::size_t n) {
    std::string out(n, '\0');
    std::uint32_t x = 12345;
    for (char& c : out) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>(x >> 24);
    }
    return out;
}

// `n` empty files under "many/", each name `name_bytes` long and distinct by `tag`.
std::vector<TarEntry> many_files(int n, std::size_t name_bytes, const std::string& tag) {
    std::vector<TarEntry> entries;
    for (int i = 0; i < n; ++i) {
        std::string name = "many/" + tag + std::to_string(i) + "-";
        name.resize(name_bytes, 'n');
        entries.push_back(file(name, ""));
    }
    return entries;
}

json descriptor(const oci::Descriptor& d) {
    return {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}};
}

// A valid config and one good layer in `writer`; returns the manifest JSON over them.
json good_manifest(fixtures::OciLayoutWriter& writer) {
    const auto layer =
        writer.add_blob(fixtures::make_tar(good_layer()), std::string(media_type::oci_layer_gzip));
    const json config = {{"architecture", "amd64"},
                         {"os", "linux"},
                         {"rootfs", {{"type", "layers"}, {"diff_ids", json::array()}}}};
    const auto c = writer.add_blob(config.dump(), std::string(media_type::oci_config));
    return {{"schemaVersion", 2},
            {"mediaType", media_type::oci_manifest},
            {"config", descriptor(c)},
            {"layers", {descriptor(layer)}}};
}

oci::Descriptor add_manifest(fixtures::OciLayoutWriter& writer, const json& manifest) {
    auto d = writer.add_blob(manifest.dump(), std::string(media_type::oci_manifest));
    d.platform = platform::make_platform("linux", "amd64");
    return d;
}

}  // namespace

TEST_CASE("a decompression bomb is refused by the ratio cap, and --max-ratio raises it",
          "[hostile][resources]") {
    Sandbox box;
    // 64 MiB of zeros: a few KiB of zstd.
    const auto layout = box.image_over_good(
        "case", {{file("ui/bomb.bin", std::string(std::size_t{64} << 20, '\0'))}},
        TarCompression::zstd);
    const auto refused = box.install(layout);
    box.check_refused(refused, k_content, {"layer 1", "decompression bomb", "--max-ratio"});

    const auto raised = box.install(layout, {"--max-ratio", "1000000"});
    INFO(raised.err);
    CHECK(raised.exit_code == 0);
    box.check_sentinel();
}

TEST_CASE("the total uncompressed size is capped, and --max-uncompressed-size raises it",
          "[hostile][resources]") {
    Sandbox box;
    const auto layout =
        box.image_over_good("case", {{file("ui/big.bin", incompressible(std::size_t{3} << 20))}});
    const auto refused = box.install(layout, {"--max-uncompressed-size", "2M"});
    box.check_refused(refused, k_content,
                      {"layer 1", "decompression bomb", "--max-uncompressed-size"});

    const auto raised = box.install(layout, {"--max-uncompressed-size", "16M"});
    INFO(raised.err);
    CHECK(raised.exit_code == 0);
    box.check_sentinel();
}

TEST_CASE("malformed cap flags are usage errors", "[hostile][resources]") {
    Sandbox box;
    const auto layout = box.image_over_good("case", {});
    for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
             {"--max-ratio", "lots"},
             {"--max-ratio", "-1"},
             {"--max-uncompressed-size", "12X"},
             {"--max-uncompressed-size", ""},
             {"--max-uncompressed-size", "99999999999999999999"},
             {"--max-uncompressed-size", "9999999T"}}) {
        const auto run = box.install(layout, {flag + "=" + value});
        INFO(flag << " " << value);
        box.check_refused(run, k_usage, {flag});
    }
}

TEST_CASE("the number of entries in a layer is capped", "[hostile][resources]") {
    // A million tiny entries would take a gigabyte of test data: the same cap is shown with a
    // lower limit on the library, and its default checked.
    CHECK(Limits{}.max_entries_per_layer == std::size_t{1} << 20);
    std::vector<TarEntry> entries;
    for (int i = 0; i < 1001; ++i) entries.push_back(file("f" + std::to_string(i), ""));
    fixtures::MemorySource source;
    oci::Manifest manifest;
    manifest.layers.push_back(source.add_layer(entries, TarCompression::gzip));
    Limits limits;
    limits.max_entries_per_layer = 1000;
    const auto scanned = layer::scan_layers(source, manifest, {}, limits, {});
    REQUIRE_FALSE(scanned);
    CHECK(scanned.error().code == ErrorCode::invalid_extension);
    CHECK(scanned.error().message.find("more than 1000 entries") != std::string::npos);
    limits.max_entries_per_layer = 1001;
    CHECK(layer::scan_layers(source, manifest, {}, limits, {}));
}

TEST_CASE("the entries of all layers together are capped, and --max-entries raises it",
          "[hostile][resources]") {
    CHECK(Limits{}.max_image_entries == std::size_t{1} << 20);
    Sandbox box;
    // Three layers of 400 entries: each far below the cap on one layer, together above 1000.
    const auto layout = box.image_over_good(
        "case", {many_files(400, 16, "a"), many_files(400, 16, "b"), many_files(400, 16, "c")});
    const auto refused = box.install(layout, {"--max-entries", "1000"});
    box.check_refused(refused, k_content, {"layer", "more than 1000 entries", "--max-entries"});

    const auto raised = box.install(layout, {"--max-entries", "2K"});
    INFO(raised.err);
    CHECK(raised.exit_code == 0);
    box.check_sentinel();
}

TEST_CASE("the bytes of all entry names together are capped, and --max-names-size raises it",
          "[hostile][resources]") {
    CHECK(Limits{}.max_name_bytes == std::size_t{64} << 20);
    Sandbox box;
    // 100 names of 3000 bytes: 300 KB of names in a layer of a few KB.
    const auto layout = box.image_over_good("case", {many_files(100, 3000, "a")});
    const auto refused = box.install(layout, {"--max-names-size", "256K"});
    box.check_refused(refused, k_content,
                      {"layer 1", "more than 262144 bytes", "--max-names-size"});

    const auto raised = box.install(layout, {"--max-names-size", "1M"});
    INFO(raised.err);
    CHECK(raised.exit_code == 0);
    box.check_sentinel();
}

TEST_CASE("a blob the manifest lists again and again is read and kept once, counted each time",
          "[hostile][resources]") {
    Sandbox box;
    // 2000 names of 2000 bytes: 4 MB of names in one blob, listed once and listed eight times.
    const RawLayer names = raw_layer(many_files(2000, 2000, "x"));
    const auto once = box.image("once", {raw_layer(good_layer()), names});
    std::vector<RawLayer> layers{raw_layer(good_layer())};
    layers.insert(layers.end(), 8, names);
    const auto eight = box.image("eight", layers);

    // Counted each time: building the tree applies every listing.
    const auto refused = box.install(eight, {"--max-names-size", "16M"});
    box.check_refused(refused, k_content, {"--max-names-size"});

    const auto run_once = box.install(once, {"--max-names-size", "64M"});
    INFO(run_once.err);
    REQUIRE(run_once.exit_code == 0);
    const auto run_eight = box.install(eight, {"--max-names-size", "64M"});
    INFO(run_eight.err);
    REQUIRE(run_eight.exit_code == 0);
    // Kept once: seven more copies of its entries would take more than 28 MB. Under
    // AddressSanitizer the resident set also holds the freed memory it quarantines and its
    // shadow, so it says nothing about what deskext keeps.
    if (!k_sanitized) CHECK(run_eight.peak_rss_kib - run_once.peak_rss_kib < 4 * 1024);
    box.check_sentinel();
}

TEST_CASE("huge manifests, configs and metadata are refused before parsing",
          "[hostile][resources]") {
    Sandbox box;
    SECTION("a 5 MiB manifest") {
        fixtures::OciLayoutWriter writer(box.layout_dir("case"));
        json manifest = good_manifest(writer);
        manifest["annotations"] = {{"padding", std::string(std::size_t{5} << 20, ' ')}};
        (void)writer.add_index({add_manifest(writer, manifest)}, k_tag);
        const auto run = box.install(box.layout_dir("case"));
        box.check_refused(run, k_content, {"4194304"});
    }
    SECTION("a 9 MiB config") {
        fixtures::OciLayoutWriter writer(box.layout_dir("case"));
        json manifest = good_manifest(writer);
        const json config = {
            {"architecture", "amd64"},
            {"os", "linux"},
            {"config", {{"Labels", {{"x", std::string(std::size_t{9} << 20, 'x')}}}}}};
        manifest["config"] =
            descriptor(writer.add_blob(config.dump(), std::string(media_type::oci_config)));
        (void)writer.add_index({add_manifest(writer, manifest)}, k_tag);
        const auto run = box.install(box.layout_dir("case"));
        box.check_refused(run, k_content, {"8388608"});
    }
    SECTION("a 2 MiB metadata.json") {
        std::string metadata = good_metadata();
        metadata.insert(1, std::string(std::size_t{2} << 20, ' '));
        const auto run = box.install(box.image("case", {raw_layer(good_layer(metadata))}));
        box.check_refused(run, k_content, {"metadata.json", "1048576"});
    }
}

TEST_CASE("nested indexes are refused", "[hostile][resources]") {
    // The tag may name an index whose entries are manifests; an index entry that is itself an
    // index (index → index → …) is refused at the first level, however deep the chain.
    Sandbox box;
    fixtures::OciLayoutWriter writer(box.layout_dir("case"));
    auto chain = add_manifest(writer, good_manifest(writer));
    for (int depth = 0; depth < 3; ++depth) {
        json index = {{"schemaVersion", 2},
                      {"mediaType", media_type::oci_index},
                      {"manifests", {descriptor(chain)}}};
        index["manifests"][0]["platform"] = {{"os", "linux"}, {"architecture", "amd64"}};
        chain = writer.add_blob(index.dump(), std::string(media_type::oci_index));
        chain.platform = platform::make_platform("linux", "amd64");
    }
    (void)writer.add_index({chain}, k_tag);
    const auto run = box.install(box.layout_dir("case"));
    box.check_refused(run, k_content, {"index", "not an image manifest"});
}

TEST_CASE("an index entry whose media type lies about the document is refused",
          "[hostile][resources]") {
    // CVE-2021-41190: the descriptor says manifest, the bytes are an index.
    Sandbox box;
    fixtures::OciLayoutWriter writer(box.layout_dir("case"));
    const auto manifest = add_manifest(writer, good_manifest(writer));
    json inner = {{"schemaVersion", 2},
                  {"mediaType", media_type::oci_index},
                  {"manifests", {descriptor(manifest)}}};
    auto lying = writer.add_blob(inner.dump(), std::string(media_type::oci_manifest));
    lying.platform = platform::make_platform("linux", "amd64");
    (void)writer.add_index({lying}, k_tag);
    const auto run = box.install(box.layout_dir("case"));
    box.check_refused(run, k_content, {lying.digest.hex().substr(0, 12)});
}

TEST_CASE("an index with thousands of entries is refused", "[hostile][resources]") {
    Sandbox box;
    fixtures::OciLayoutWriter writer(box.layout_dir("case"));
    const auto manifest = add_manifest(writer, good_manifest(writer));
    std::vector<oci::Descriptor> many(5000, manifest);
    (void)writer.add_index(many, k_tag);
    const auto run = box.install(box.layout_dir("case"));
    box.check_refused(run, k_content, {"4096"});
}

TEST_CASE("a layer count beyond any real image is refused", "[hostile][resources]") {
    Sandbox box;
    fixtures::OciLayoutWriter writer(box.layout_dir("case"));
    json manifest = good_manifest(writer);
    const auto empty =
        writer.add_blob(fixtures::make_tar({}), std::string(media_type::oci_layer_gzip));
    for (int i = 0; i < 300; ++i) manifest["layers"].push_back(descriptor(empty));
    (void)writer.add_index({add_manifest(writer, manifest)}, k_tag);
    const auto run = box.install(box.layout_dir("case"));
    box.check_refused(run, k_content, {"301", "256"});
}

TEST_CASE("deep directories, a long link chain and UI links into the depths install quickly",
          "[hostile][resources]") {
    // About 100 KB of headers: a file 2000 directories deep, a chain of 39 links from the
    // deepest directory to the next link there, each target an absolute path down the whole
    // depth, and UI links to the start of the chain (each 40 links, the most allowed). Resolving
    // by rebuilding the path at every component took 44 s with 3 UI links; the work now grows
    // with the bytes of the image (tests/unit/layer/test_image_tree.cpp counts it).
    Sandbox box;
    std::string deep = "d";
    for (int i = 1; i < 2000; ++i) deep += "/d";
    std::vector<TarEntry> entries{file(deep + "/f", "deep down\n")};
    for (int i = 0; i < 39; ++i) {
        const std::string next = i == 38 ? "f" : "l" + std::to_string(i + 1);
        entries.push_back(
            fixtures::symlink(deep + "/l" + std::to_string(i), "/" + deep + "/" + next));
    }
    for (int i = 0; i < 30; ++i)
        entries.push_back(fixtures::symlink("ui/x" + std::to_string(i), "/" + deep + "/l0"));
    const auto run = box.install(box.image_over_good("case", {entries}));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    for (const char* name : {"x0", "x29"}) {
        std::ifstream in(box.installed() / "ui" / "ui" / name, std::ios::binary);
        std::stringstream content;
        content << in.rdbuf();
        CHECK(content.str() == "deep down\n");
    }
    box.check_sentinel();
}

TEST_CASE("a chain of links into the depths one link too long is refused",
          "[hostile][resources]") {
    // The icon 42 links away from a file 2000 directories deep: refused as a loop, quickly.
    Sandbox box;
    std::string deep = "d";
    for (int i = 1; i < 2000; ++i) deep += "/d";
    std::vector<TarEntry> entries{file(deep + "/f", "deep down\n")};
    for (int i = 0; i < 41; ++i) {
        const std::string next = i == 40 ? "f" : "l" + std::to_string(i + 1);
        entries.push_back(
            fixtures::symlink(deep + "/l" + std::to_string(i), "/" + deep + "/" + next));
    }
    entries.push_back(fixtures::symlink("tool.svg", "/" + deep + "/l0"));
    const auto run = box.install(box.image_over_good("case", {entries}));
    box.check_refused(run, k_content, {"tool.svg", "more than 40 symbolic links"});
}
