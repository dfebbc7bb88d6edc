// The registry source over a real registry (docker-registry on loopback, plain HTTP,
// anonymous): tags and digests resolved, manifests fetched by descriptor, blobs read through the
// blob cache and verified, the layer entries recorded there. The image is put together here
// document by document, so that no other tool is needed.
#include "registry/registry_source.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "deskext/layer/layer_scan.hpp"
#include "deskext/oci/media_types.hpp"
#include "fixtures/files.hpp"
#include "fixtures/scoped_env.hpp"
#include "fixtures/tar_builder.hpp"
#include "fixtures/temp_dir.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using fixtures::file;
using fixtures::ScopedEnv;
using fixtures::TarCompression;
namespace fs = std::filesystem;

namespace {

const std::string repo = "acme/source-ext";

oci::Descriptor put(fixtures::TestRegistry& registry, const std::string& bytes,
                    std::string media_type) {
    oci::Descriptor descriptor;
    descriptor.media_type = std::move(media_type);
    descriptor.digest = *Digest::parse(registry.put_blob(repo, bytes));
    descriptor.size = std::ssize(bytes);
    return descriptor;
}

nlohmann::json json_of(const oci::Descriptor& descriptor) {
    return nlohmann::json::parse(oci::to_json(descriptor));
}

// A one-platform image (linux/amd64) of one gzip layer, tagged 1.0 as an index.
struct Image {
    std::string layer_bytes;
    oci::Descriptor layer;
    oci::Descriptor manifest;
    std::string index_digest;
};

Image push_image(fixtures::TestRegistry& registry) {
    Image image;
    image.layer_bytes = fixtures::make_tar(
        {file("metadata.json", R"({"ui":{}})"), file("ui/index.html", "<html>"),
         file("host/tool", std::string(100000, 't'), 0755)},
        TarCompression::gzip);
    image.layer =
        put(registry, image.layer_bytes, fixtures::layer_media_type(TarCompression::gzip));
    const nlohmann::json config = {
        {"architecture", "amd64"},
        {"os", "linux"},
        {"rootfs", {{"type", "layers"}, {"diff_ids", {image.layer.digest.str()}}}}};
    const auto config_descriptor =
        put(registry, config.dump(), std::string(media_type::oci_config));
    const auto manifest = nlohmann::json{{"schemaVersion", 2},
                                         {"mediaType", media_type::oci_manifest},
                                         {"config", json_of(config_descriptor)},
                                         {"layers", {json_of(image.layer)}}}
                              .dump();
    image.manifest.media_type = media_type::oci_manifest;
    image.manifest.digest = sha256_of(manifest);
    image.manifest.size = std::ssize(manifest);
    registry.put_manifest(repo, image.manifest.digest.str(), manifest,
                          std::string(media_type::oci_manifest));
    auto entry = json_of(image.manifest);
    entry["platform"] = {{"os", "linux"}, {"architecture", "amd64"}};
    const auto index = nlohmann::json{{"schemaVersion", 2},
                                      {"mediaType", media_type::oci_index},
                                      {"manifests", {entry}}}
                           .dump();
    image.index_digest =
        registry.put_manifest(repo, "1.0", index, std::string(media_type::oci_index));
    return image;
}

// A client of its own: no Docker configuration, certs.d or cache of the machine's.
struct Client {
    fixtures::TempDir home{"deskext-registry-source-"};
    ScopedEnv docker_config{"DOCKER_CONFIG", (home / "docker").string()};
    ScopedEnv certs_d{"DESKEXT_CERTS_D", (home / "certs.d").string()};
    ScopedEnv home_env{"HOME", home.path().string()};

    [[nodiscard]] fs::path cache() const { return home / "cache"; }
    [[nodiscard]] fs::path cache_entry(const Digest& digest) const {
        return cache() / "blobs" / "sha256" / digest.hex();
    }

    [[nodiscard]] std::unique_ptr<ImageSource> open(const std::string& host,
                                                    const std::string& ref) const {
        SourceOptions options;
        options.cache_dir = cache();
        auto source = registry::open_registry_source(host + "/" + repo + ref, options);
        REQUIRE(source);
        return std::move(*source);
    }
};

struct Fixture {
    fixtures::TempDir dir{"deskext-registry-"};
    fixtures::TestRegistry registry{dir / "registry", {}};
    Image image = push_image(registry);
    Client client;

    [[nodiscard]] long blob_gets(const Digest& digest) const {
        const auto requests = registry.requests();
        return std::count_if(requests.begin(), requests.end(), [&](const std::string& line) {
            return line.starts_with("GET ") &&
                   line.find("/blobs/" + digest.str()) != std::string::npos;
        });
    }
};

Result<std::string> read_blob(ImageSource& source, const oci::Descriptor& descriptor) {
    DESKEXT_TRY_ASSIGN(auto reader, source.open_blob(descriptor));
    return read_all(*reader, 1 << 20);
}

}  // namespace

TEST_CASE("registry source: a tag resolves to its index, whose manifest is fetched by "
          "descriptor",
          "[registry][registry_source]") {
    Fixture f;
    auto source = f.client.open(f.registry.host(), ":1.0");
    CHECK(source->describe() == "docker://" + f.registry.host() + "/" + repo + ":1.0");
    CHECK(source->image_name() == f.registry.host() + "/" + repo + ":1.0");

    auto top = source->resolve();
    REQUIRE(top);
    CHECK(top->media_type == media_type::oci_index);
    CHECK(top->digest.str() == f.image.index_digest);
    auto index = oci::parse_index(top->bytes, top->media_type);
    REQUIRE(index);
    REQUIRE(index->manifests.size() == 1);
    CHECK(index->manifests[0].digest == f.image.manifest.digest);

    auto manifest = source->fetch_manifest(index->manifests[0]);
    REQUIRE(manifest);
    CHECK(manifest->media_type == media_type::oci_manifest);
    CHECK(sha256_of(manifest->bytes) == f.image.manifest.digest);
    auto parsed = oci::parse_manifest(manifest->bytes, manifest->media_type);
    REQUIRE(parsed);
    CHECK(parsed->layers.at(0).digest == f.image.layer.digest);

    // By digest, the same index.
    auto by_digest = f.client.open(f.registry.host(), "@" + f.image.index_digest)->resolve();
    REQUIRE(by_digest);
    CHECK(by_digest->bytes == top->bytes);
}

TEST_CASE("registry source: a missing tag is not_found", "[registry][registry_source]") {
    Fixture f;
    auto top = f.client.open(f.registry.host(), ":2.0")->resolve();
    REQUIRE_FALSE(top);
    CHECK(top.error().code == ErrorCode::not_found);
    CHECK_THAT(top.error().message, Catch::Contains("no manifest 2.0"));
}

TEST_CASE("registry source: a blob is read whole through the cache, fetched once",
          "[registry][registry_source]") {
    Fixture f;
    auto source = f.client.open(f.registry.host(), ":1.0");
    CHECK(read_blob(*source, f.image.layer) == f.image.layer_bytes);
    CHECK(fixtures::read_file(f.client.cache_entry(f.image.layer.digest)) == f.image.layer_bytes);
    CHECK(f.blob_gets(f.image.layer.digest) == 1);

    // Again, and from another source over the same cache: read from the cache.
    CHECK(read_blob(*source, f.image.layer) == f.image.layer_bytes);
    auto other = f.client.open(f.registry.host(), ":1.0");
    CHECK(read_blob(*other, f.image.layer) == f.image.layer_bytes);
    CHECK(f.blob_gets(f.image.layer.digest) == 1);

    // Read while it arrives (prefetch), in a cache of its own.
    Client fresh;
    auto prefetching = fresh.open(f.registry.host(), ":1.0");
    auto scope = prefetching->prefetch({f.image.layer}, {});
    REQUIRE(scope);
    CHECK(read_blob(*prefetching, f.image.layer) == f.image.layer_bytes);
    CHECK(f.blob_gets(f.image.layer.digest) == 2);
}

TEST_CASE("registry source: a blob that does not match its digest is refused and not cached",
          "[registry][registry_source]") {
    Fixture f;
    fixtures::FaultProxy proxy(f.dir / "proxy", f.registry.host());
    proxy.add_fault({fixtures::Fault::Kind::corrupt_byte, "/blobs/" + f.image.layer.digest.str(),
                     1000, static_cast<long>(f.image.layer.size / 2)});
    auto source = f.client.open(proxy.host(), ":1.0");
    auto read = read_blob(*source, f.image.layer);
    REQUIRE_FALSE(read);
    CHECK(read.error().code == ErrorCode::integrity);
    CHECK_THAT(read.error().message, Catch::Contains(f.image.layer.digest.str()));
    CHECK_FALSE(fs::exists(f.client.cache_entry(f.image.layer.digest)));
}

TEST_CASE("registry source: a cached copy damaged since is refused, removed and fetched again",
          "[registry][registry_source]") {
    Fixture f;
    auto source = f.client.open(f.registry.host(), ":1.0");
    REQUIRE(read_blob(*source, f.image.layer));
    const auto entry = f.client.cache_entry(f.image.layer.digest);
    auto damaged = f.image.layer_bytes;
    damaged[damaged.size() / 2] ^= 1;
    std::ofstream(entry, std::ios::binary | std::ios::trunc) << damaged;

    auto read = read_blob(*source, f.image.layer);
    REQUIRE_FALSE(read);
    CHECK(read.error().code == ErrorCode::integrity);
    CHECK_THAT(read.error().message, Catch::Contains("is damaged and was removed"));
    CHECK(source->refetchable_failures() == 1);
    CHECK_FALSE(fs::exists(entry));

    CHECK(read_blob(*source, f.image.layer) == f.image.layer_bytes);
    CHECK(f.blob_gets(f.image.layer.digest) == 2);
}

TEST_CASE("registry source: a layer read whole has its entries recorded in the cache",
          "[registry][registry_source]") {
    Fixture f;
    auto source = f.client.open(f.registry.host(), ":1.0");
    CHECK_FALSE(source->layer_entries(f.image.layer));
    auto top = source->resolve();
    REQUIRE(top);
    auto index = oci::parse_index(top->bytes, top->media_type);
    REQUIRE(index);
    auto document = source->fetch_manifest(index->manifests.at(0));
    REQUIRE(document);
    auto manifest = oci::parse_manifest(document->bytes, document->media_type);
    REQUIRE(manifest);
    REQUIRE(layer::scan_layers(*source, *manifest, {"metadata.json"}, Limits{}, {}));

    // Another source over the same cache, as the next install is: the entries without a read.
    auto next = f.client.open(f.registry.host(), ":1.0");
    auto entries = next->layer_entries(f.image.layer);
    REQUIRE(entries);
    REQUIRE(entries->size() == 3);
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < entries->size(); ++i) paths.push_back((*entries)[i].path);
    CHECK(paths == std::vector<std::string>{"metadata.json", "ui/index.html", "host/tool"});
    CHECK((*entries)[2].size == 100000);
}
