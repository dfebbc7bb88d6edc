#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "deskext/oci/media_types.hpp"
#include "fixtures/temp_dir.hpp"
#include "source/tar_index.hpp"
#include "unit/source/source_helpers.hpp"

using deskext::ErrorCode;
namespace fx = deskext::fixtures;
namespace t = deskext::test;
namespace mt = deskext::media_type;

namespace {

// A legacy docker-archive of the arm64 variant, written by the real skopeo.
std::string skopeo_docker_archive(const fx::TempDir& tmp) {
    t::write_two_platform_layout(tmp / "layout");
    const auto archive = (tmp / "image.tar").string();
    t::skopeo({"copy", "--override-arch", "arm64", "oci:" + (tmp / "layout").string() + ":1.0",
               "docker-archive:" + archive + ":example/ext:1.0"});
    return archive;
}

deskext::oci::Manifest resolve_manifest(deskext::ImageSource& source) {
    auto document = source.resolve();
    INFO((document ? std::string() : document.error().message));
    REQUIRE(document.has_value());
    CHECK(document->media_type == mt::docker_manifest);
    CHECK(document->digest == deskext::sha256_of(document->bytes));
    return t::parse_manifest_document(*document);
}

// The one layer of the hand-written archives below, and a config for it.
const std::string one_layer =
    fx::make_tar({fx::file("metadata.json", "{}")}, fx::TarCompression::none);

std::string config_for(const std::string& arch) {
    const std::string diff_id = deskext::sha256_of(one_layer).str();
    return nlohmann::json{{"architecture", arch},
                          {"os", "linux"},
                          {"rootfs", {{"type", "layers"}, {"diff_ids", {diff_id}}}}}
        .dump();
}

// A legacy docker save archive of two images sharing one_layer, amd64 (a.json) and arm64
// (b.json), with these RepoTags.
std::filesystem::path two_image_archive(const fx::TempDir& tmp, const std::string& name,
                                        const nlohmann::json& tags_a,
                                        const nlohmann::json& tags_b) {
    const nlohmann::json manifest = nlohmann::json::array({
        {{"Config", "a.json"}, {"RepoTags", tags_a}, {"Layers", {"l/layer.tar"}}},
        {{"Config", "b.json"}, {"RepoTags", tags_b}, {"Layers", {"l/layer.tar"}}},
    });
    const auto archive = tmp / name;
    t::write_bytes(archive, fx::make_tar({fx::file("manifest.json", manifest.dump()),
                                          fx::file("a.json", config_for("amd64")),
                                          fx::file("b.json", config_for("arm64")), fx::dir("l"),
                                          fx::file("l/layer.tar", one_layer)},
                                         fx::TarCompression::none));
    return archive;
}

}  // namespace

// [posix]: skopeo writes its archive, and the process fixture runs it on Linux only.
TEST_CASE("source: docker-archive written by skopeo gives a verified docker manifest",
          "[source][posix]") {
    fx::TempDir tmp;
    const auto archive = skopeo_docker_archive(tmp);
    for (const std::string& text :
         {"docker-archive:" + archive, "docker-archive:" + archive + ":example/ext:1.0",
          "docker-archive:" + archive + ":docker.io/example/ext:1.0", archive}) {
        auto source = t::must_open(text);
        CHECK_THAT(source->describe(), Catch::StartsWith("docker-archive:" + archive));
        REQUIRE(source->image_name().has_value());
        CHECK_THAT(*source->image_name(), Catch::EndsWith("example/ext:1.0"));

        const auto manifest = resolve_manifest(*source);
        REQUIRE(manifest.layers.size() == 2);
        CHECK(manifest.config.media_type == mt::docker_config);
        auto config_text = deskext::read_small_blob(*source, manifest.config, 1u << 20);
        REQUIRE(config_text.has_value());
        auto config = deskext::oci::parse_image_config(*config_text);
        REQUIRE(config.has_value());
        CHECK(config->platform.arch == "arm64");
        CHECK(config->platform.os == "linux");
        for (std::size_t i = 0; i < manifest.layers.size(); ++i) {
            CHECK(manifest.layers[i].media_type == mt::docker_layer_tar);
            CHECK(manifest.layers[i].digest == config->diff_ids.at(i));
        }
        t::drain_image(*source, manifest);

        // fetch_manifest returns the same synthesized document for its descriptor.
        deskext::oci::Descriptor self;
        const auto document = source->resolve();
        self.media_type = document->media_type;
        self.digest = document->digest;
        self.size = static_cast<std::int64_t>(document->bytes.size());
        auto fetched = source->fetch_manifest(self);
        REQUIRE(fetched.has_value());
        CHECK(fetched->bytes == document->bytes);
    }
    std::string message;
    CHECK(t::open_error("docker-archive:" + archive + ":other/x:2.0", &message) ==
          ErrorCode::not_found);
    CHECK_THAT(message, Catch::Contains("example/ext:1.0"));
}

// [posix]: skopeo writes its archive, and the process fixture runs it on Linux only.
TEST_CASE("source: docker-archive with a corrupted layer byte fails integrity when drained",
          "[source][posix]") {
    fx::TempDir tmp;
    const auto archive = skopeo_docker_archive(tmp);
    auto source = t::must_open("docker-archive:" + archive);
    const auto manifest = resolve_manifest(*source);

    auto members = deskext::source::TarIndex::scan(archive, 1000);
    REQUIRE(members.has_value());
    auto listing = members->read("manifest.json", 1u << 20);
    REQUIRE(listing.has_value());
    const auto layer_name = nlohmann::json::parse(*listing)[0]["Layers"][1].get<std::string>();
    const auto member = members->find(layer_name);
    REQUIRE(member.has_value());
    t::flip_byte(archive, member->offset + member->size / 2);

    auto drained = t::drain_blob(*source, manifest.layers.at(1));
    REQUIRE_FALSE(drained.has_value());
    CHECK(drained.error().code == ErrorCode::integrity);
}

TEST_CASE("source: docker-archive with several images needs NAME:TAG", "[source]") {
    fx::TempDir tmp;
    const auto archive =
        two_image_archive(tmp, "multi.tar", {"acme/a:1"}, {"acme/b:2", "acme/b:latest"});
    std::string message;
    CHECK(t::open_error(archive.string(), &message) == ErrorCode::usage);
    CHECK_THAT(message, Catch::Contains("acme/a:1") && Catch::Contains("acme/b:2"));

    auto b = t::must_open("docker-archive:" + archive.string() + ":acme/b");  // :latest implied
    CHECK(b->image_name() == "acme/b:latest");
    const auto b_manifest = resolve_manifest(*b);
    auto b_config = deskext::read_small_blob(*b, b_manifest.config, 1u << 20);
    REQUIRE(b_config.has_value());
    CHECK(*b_config == config_for("arm64"));
    t::drain_image(*b, b_manifest);

    auto a = t::must_open("docker-archive:" + archive.string() + ":acme/a:1");
    CHECK(a->image_name() == "acme/a:1");
    t::drain_image(*a, resolve_manifest(*a));
}

TEST_CASE("source: docker-archive images are found by their extension identity, the stored name "
          "first",
          "[source][identity]") {
    fx::TempDir tmp;
    const auto archive =
        two_image_archive(tmp, "hosts.tar", {"127.0.0.1:5000/acme/ext:1"}, {"acme/ext:2"});
    // Stored under a registry's name, asked for by the extension's: the same image.
    auto by_identity = t::must_open("docker-archive:" + archive.string() + ":acme/ext:1");
    CHECK(by_identity->image_name() == "127.0.0.1:5000/acme/ext:1");
    auto by_other_host =
        t::must_open("docker-archive:" + archive.string() + ":localhost:5000/acme/ext:1");
    CHECK(by_other_host->image_name() == "127.0.0.1:5000/acme/ext:1");
    auto exact = t::must_open("docker-archive:" + archive.string() + ":docker.io/acme/ext:2");
    CHECK(exact->image_name() == "acme/ext:2");
    // The tag still has to be the same.
    CHECK(t::open_error("docker-archive:" + archive.string() + ":acme/ext:3") ==
          ErrorCode::not_found);

    // Two registries' images of one extension and tag: neither is guessed.
    const auto ambiguous = two_image_archive(tmp, "twins.tar", {"one.example/acme/ext:1"},
                                             {"two.example/acme/ext:1"});
    std::string message;
    CHECK(t::open_error("docker-archive:" + ambiguous.string() + ":acme/ext:1", &message) ==
          ErrorCode::usage);
    CHECK_THAT(message, Catch::Contains("cannot tell which"));
    auto named = t::must_open("docker-archive:" + ambiguous.string() + ":two.example/acme/ext:1");
    CHECK(named->image_name() == "two.example/acme/ext:1");
}

TEST_CASE("source: docker-archive with blobs/sha256 layers takes their digest and compression",
          "[source]") {
    fx::TempDir tmp;
    const std::vector<fx::TarEntry> files{fx::file("metadata.json", "{}")};
    const auto plain = fx::make_tar(files, fx::TarCompression::none);
    const auto gzipped = fx::make_tar(files, fx::TarCompression::gzip);
    const auto gz_digest = deskext::sha256_of(gzipped);
    const auto config =
        nlohmann::json{
            {"architecture", "amd64"},
            {"os", "linux"},
            {"rootfs", {{"type", "layers"}, {"diff_ids", {deskext::sha256_of(plain).str()}}}}}
            .dump();
    const auto config_digest = deskext::sha256_of(config);
    const nlohmann::json manifest =
        nlohmann::json::array({{{"Config", "blobs/sha256/" + config_digest.hex()},
                                {"RepoTags", {"acme/z:1"}},
                                {"Layers", {"blobs/sha256/" + gz_digest.hex()}}}});
    const auto archive = tmp / "new.tar";
    t::write_bytes(archive, fx::make_tar({fx::file("manifest.json", manifest.dump()),
                                          fx::file("blobs/sha256/" + config_digest.hex(), config),
                                          fx::file("blobs/sha256/" + gz_digest.hex(), gzipped)},
                                         fx::TarCompression::none));
    auto source = t::must_open("docker-archive:" + archive.string());
    const auto parsed = resolve_manifest(*source);
    REQUIRE(parsed.layers.size() == 1);
    CHECK(parsed.config.digest == config_digest);
    CHECK(parsed.layers[0].media_type == mt::docker_layer_gzip);
    CHECK(parsed.layers[0].digest == gz_digest);
    t::drain_image(*source, parsed);

    SECTION("a compressed layer under a legacy name is refused") {
        const nlohmann::json legacy = nlohmann::json::array(
            {{{"Config", "c.json"}, {"RepoTags", {"acme/z:1"}}, {"Layers", {"x/layer.tar"}}}});
        t::write_bytes(archive,
                       fx::make_tar({fx::file("manifest.json", legacy.dump()),
                                     fx::file("c.json", config), fx::file("x/layer.tar", gzipped)},
                                    fx::TarCompression::none));
        CHECK(t::open_error("docker-archive:" + archive.string()) == ErrorCode::invalid_extension);
    }
    SECTION("a layer missing from the archive is refused, naming it") {
        const nlohmann::json missing = nlohmann::json::array(
            {{{"Config", "c.json"}, {"RepoTags", {"acme/z:1"}}, {"Layers", {"gone/layer.tar"}}}});
        t::write_bytes(archive, fx::make_tar({fx::file("manifest.json", missing.dump()),
                                              fx::file("c.json", config)},
                                             fx::TarCompression::none));
        std::string message;
        CHECK(t::open_error("docker-archive:" + archive.string(), &message) ==
              ErrorCode::invalid_extension);
        CHECK_THAT(message, Catch::Contains("gone/layer.tar"));
    }
}

TEST_CASE("source: a Docker 25+ docker save archive is read through its OCI layout", "[source]") {
    fx::TempDir tmp;
    {
        fx::OciLayoutWriter writer(tmp / "layout");
        const auto amd64 = writer.add_variant(t::variant("amd64"));
        const auto arm64 = writer.add_variant(t::variant("arm64"));
        writer.add_index({amd64, arm64}, "1.0",
                         {{"io.containerd.image.name", "docker.io/example/ext:1.0"}});
    }
    auto entries = t::entries_of(tmp / "layout");
    // docker save also writes manifest.json (with RepoTags) beside the layout.
    entries.push_back(fx::file("manifest.json",
                               R"([{"Config":"blobs/sha256/00","RepoTags":["example/ext:1.0"],)"
                               R"("Layers":[]}])"));
    const auto archive = (tmp / "saved.tar").string();
    t::write_bytes(archive, fx::make_tar(entries, fx::TarCompression::none));

    for (const std::string& text :
         {archive, "docker-archive:" + archive, "docker-archive:" + archive + ":example/ext:1.0",
          "oci-archive:" + archive + ":1.0"}) {
        auto source = t::must_open(text);
        CHECK(source->image_name() == "docker.io/example/ext:1.0");
        t::check_two_platform_source(*source);
    }
    CHECK_THAT(t::must_open("docker-archive:" + archive)->describe(),
               Catch::StartsWith("docker-archive:"));
    CHECK(t::open_error("docker-archive:" + archive + ":example/ext:2.0") == ErrorCode::not_found);
}
