#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <string>

#include "deskext/io/reader.hpp"
#include "deskext/oci/media_types.hpp"
#include "deskext/oci/models.hpp"

using deskext::ErrorCode;
using namespace deskext::oci;
namespace mt = deskext::media_type;

namespace {

std::string digest_of(char c) { return "sha256:" + std::string(64, c); }

// An index as `docker buildx build --platform linux/amd64,linux/arm64 --push` writes it, with
// BuildKit's provenance attestation.
const std::string buildkit_index = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.index.v1+json",
  "manifests": [
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
      "size": 1054,
      "platform": {"architecture": "amd64", "os": "linux"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
      "size": 1054,
      "platform": {"architecture": "arm64", "os": "linux", "variant": "v8"}
    },
    {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "sha256:3333333333333333333333333333333333333333333333333333333333333333",
      "size": 566,
      "annotations": {
        "vnd.docker.reference.digest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
        "vnd.docker.reference.type": "attestation-manifest"
      },
      "platform": {"architecture": "unknown", "os": "unknown"}
    }
  ],
  "annotations": {"org.opencontainers.image.created": "2024-01-01T00:00:00Z"}
})";

const std::string docker_manifest_list = R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
   "manifests": [
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 528,
         "digest": "sha256:4444444444444444444444444444444444444444444444444444444444444444",
         "platform": {"architecture": "x86_64", "os": "linux"}
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 528,
         "digest": "sha256:5555555555555555555555555555555555555555555555555555555555555555",
         "platform": {"architecture": "arm", "os": "linux", "variant": "v7"}
      },
      {
         "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
         "size": 1125,
         "digest": "sha256:6666666666666666666666666666666666666666666666666666666666666666",
         "platform": {"architecture": "amd64", "os": "windows", "os.version": "10.0.17763.5329",
                      "os.features": ["win32k"]}
      }
   ]
})";

const std::string oci_manifest = R"({
  "schemaVersion": 2,
  "mediaType": "application/vnd.oci.image.manifest.v1+json",
  "config": {
    "mediaType": "application/vnd.oci.image.config.v1+json",
    "digest": "sha256:7777777777777777777777777777777777777777777777777777777777777777",
    "size": 2345
  },
  "layers": [
    {
      "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
      "digest": "sha256:8888888888888888888888888888888888888888888888888888888888888888",
      "size": 3370706
    },
    {
      "mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
      "digest": "sha256:9999999999999999999999999999999999999999999999999999999999999999",
      "size": 0
    }
  ],
  "annotations": {"org.opencontainers.image.base.name": "docker.io/library/alpine:3.19"}
})";

const std::string docker_manifest = R"({
   "schemaVersion": 2,
   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
   "config": {
      "mediaType": "application/vnd.docker.container.image.v1+json",
      "size": 1472,
      "digest": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
   },
   "layers": [
      {
         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
         "size": 2813316,
         "digest": "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
      },
      {
         "mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
         "size": 1024,
         "digest": "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
         "urls": ["https://example.invalid/layer.tar.gz"]
      }
   ]
})";

const std::string config_with_labels = R"({
  "architecture": "arm64",
  "variant": "v8",
  "os": "linux",
  "created": "2024-01-01T00:00:00Z",
  "config": {
    "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    "Labels": {
      "org.opencontainers.image.title": "Volumes Backup & Share",
      "com.docker.desktop.extension.api.version": ">= 0.2.3"
    }
  },
  "rootfs": {
    "type": "layers",
    "diff_ids": [
      "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
      "sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
    ]
  },
  "history": [{"created_by": "COPY metadata.json ."}]
})";

std::string with(const std::string& document, const nlohmann::json& patch) {
    auto json = nlohmann::json::parse(document);
    json.merge_patch(patch);
    return json.dump();
}

template <class T>
void check_invalid(const deskext::Result<T>& result, const std::string& needle) {
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::invalid_extension);
    INFO(result.error().message);
    CHECK(result.error().message.find(needle) != std::string::npos);
}

}  // namespace

TEST_CASE("oci: parses a BuildKit OCI index with an attestation entry", "[oci]") {
    auto index = parse_index(buildkit_index, mt::oci_index);
    REQUIRE(index);
    CHECK(index->media_type == mt::oci_index);
    REQUIRE(index->manifests.size() == 3);
    CHECK(index->manifests[0].media_type == mt::oci_manifest);
    CHECK(index->manifests[0].digest.str() == digest_of('1'));
    CHECK(index->manifests[0].size == 1054);
    REQUIRE(index->manifests[0].platform);
    CHECK(*index->manifests[0].platform == deskext::platform::Platform{"linux", "amd64", ""});
    // arm64/v8 is normalised to arm64.
    CHECK(*index->manifests[1].platform == deskext::platform::Platform{"linux", "arm64", ""});
    CHECK(index->manifests[2].platform->os == "unknown");
    CHECK(index->manifests[2].annotations.at("vnd.docker.reference.type") ==
          "attestation-manifest");
    CHECK(index->annotations.at("org.opencontainers.image.created") == "2024-01-01T00:00:00Z");

    // Without a transport media type the document's own is used.
    auto untyped = parse_index(buildkit_index, "");
    REQUIRE(untyped);
    CHECK(untyped->media_type == mt::oci_index);
}

TEST_CASE("oci: parses a Docker manifest list, normalising platforms", "[oci]") {
    auto index = parse_index(docker_manifest_list, mt::docker_manifest_list);
    REQUIRE(index);
    CHECK(index->media_type == mt::docker_manifest_list);
    REQUIRE(index->manifests.size() == 3);
    CHECK(*index->manifests[0].platform == deskext::platform::Platform{"linux", "amd64", ""});
    CHECK(*index->manifests[1].platform == deskext::platform::Platform{"linux", "arm", "v7"});
    // os.version / os.features are ignored.
    CHECK(*index->manifests[2].platform == deskext::platform::Platform{"windows", "amd64", ""});
}

TEST_CASE("oci: an index without mediaType or schemaVersion is accepted by shape", "[oci]") {
    auto index = parse_index(R"({"manifests": []})", "");
    REQUIRE(index);
    CHECK(index->media_type == mt::oci_index);
    CHECK(index->manifests.empty());
}

TEST_CASE("oci: parses OCI and Docker manifests", "[oci]") {
    auto oci = parse_manifest(oci_manifest, mt::oci_manifest);
    REQUIRE(oci);
    CHECK(oci->media_type == mt::oci_manifest);
    CHECK(oci->config.media_type == mt::oci_config);
    CHECK(oci->config.digest.str() == digest_of('7'));
    CHECK(oci->config.size == 2345);
    CHECK_FALSE(oci->config.platform);
    REQUIRE(oci->layers.size() == 2);
    CHECK(oci->layers[0].size == 3370706);
    CHECK(oci->layers[1].size == 0);
    CHECK(oci->annotations.at("org.opencontainers.image.base.name") ==
          "docker.io/library/alpine:3.19");

    auto docker = parse_manifest(docker_manifest, "");
    REQUIRE(docker);
    CHECK(docker->media_type == mt::docker_manifest);
    CHECK(docker->config.media_type == mt::docker_config);
    REQUIRE(docker->layers.size() == 2);
    CHECK(docker->layers[0].digest.str() == digest_of('b'));
    REQUIRE(docker->layers[1].urls.size() == 1);
    CHECK(docker->layers[1].urls[0] == "https://example.invalid/layer.tar.gz");
}

TEST_CASE("oci: parses image configs with and without labels", "[oci]") {
    auto config = parse_image_config(config_with_labels);
    REQUIRE(config);
    CHECK(config->platform == deskext::platform::Platform{"linux", "arm64", ""});
    CHECK(config->labels.size() == 2);
    CHECK(config->labels.at("org.opencontainers.image.title") == "Volumes Backup & Share");
    REQUIRE(config->diff_ids.size() == 2);
    CHECK(config->diff_ids[1].str() == digest_of('e'));

    // merge_patch would delete a null member, so set the nulls explicitly.
    auto json = nlohmann::json::parse(config_with_labels);
    json["config"]["Labels"] = nullptr;
    auto null_labels = parse_image_config(json.dump());
    REQUIRE(null_labels);
    CHECK(null_labels->labels.empty());

    auto no_config = parse_image_config(
        R"({"architecture": "x86_64", "os": "linux", "rootfs": {"type": "layers", "diff_ids": []}})");
    REQUIRE(no_config);
    CHECK(no_config->platform == deskext::platform::Platform{"linux", "amd64", ""});
    CHECK(no_config->labels.empty());
    CHECK(no_config->diff_ids.empty());

    json["config"] = nullptr;
    auto null_config = parse_image_config(json.dump());
    REQUIRE(null_config);
    CHECK(null_config->labels.empty());
}

TEST_CASE("oci: refuses image configs with bad fields", "[oci]") {
    check_invalid(parse_image_config(with(config_with_labels, {{"os", 3}})), "\"os\"");
    check_invalid(parse_image_config(with(config_with_labels, {{"architecture", nullptr}})),
                  "\"architecture\" is missing");
    check_invalid(parse_image_config(
                      with(config_with_labels, {{"config", {{"Labels", {{"a", 1}}}}}})),
                  "\"config.Labels.a\"");
    check_invalid(parse_image_config(with(config_with_labels, {{"config", {{"Labels", "x"}}}})),
                  "\"config.Labels\"");
    check_invalid(parse_image_config(
                      with(config_with_labels, {{"rootfs", {{"diff_ids", nlohmann::json::array({"sha256:abc"})}}}})),
                  "\"rootfs.diff_ids[0]\"");
    check_invalid(parse_image_config(with(config_with_labels, {{"rootfs", nullptr}})),
                  "\"rootfs\" is missing");
    check_invalid(parse_image_config("[]"), "not a JSON object");
    check_invalid(parse_image_config("{\"os\": "), "not valid JSON");
}

TEST_CASE("oci: refuses descriptors with wrong types or values", "[oci]") {
    const std::string entry_digest = digest_of('1');
    auto index_with = [&](const nlohmann::json& entry) {
        return nlohmann::json{{"schemaVersion", 2},
                              {"mediaType", mt::oci_index},
                              {"manifests", nlohmann::json::array({entry})}}
            .dump();
    };
    const nlohmann::json good = {
        {"mediaType", mt::oci_manifest}, {"digest", entry_digest}, {"size", 10}};
    REQUIRE(parse_index(index_with(good), mt::oci_index));

    auto patched = [&](const nlohmann::json& patch) {
        nlohmann::json entry = good;
        entry.merge_patch(patch);
        return index_with(entry);
    };
    check_invalid(parse_index(patched({{"size", -1}}), ""), "\"manifests[0].size\"");
    check_invalid(parse_index(patched({{"size", "10"}}), ""), "\"manifests[0].size\"");
    check_invalid(parse_index(patched({{"size", 10.5}}), ""), "\"manifests[0].size\"");
    check_invalid(parse_index(patched({{"size", nullptr}}), ""), "\"manifests[0].size\" is missing");
    check_invalid(parse_index(patched({{"digest", "sha256:1234"}}), ""), "\"manifests[0].digest\"");
    check_invalid(parse_index(patched({{"digest", "sha256:" + std::string(64, 'A')}}), ""),
                  "\"manifests[0].digest\"");
    check_invalid(parse_index(patched({{"digest", "sha512:" + std::string(128, 'a')}}), ""),
                  "\"manifests[0].digest\"");
    check_invalid(parse_index(patched({{"digest", 7}}), ""), "\"manifests[0].digest\"");
    check_invalid(parse_index(patched({{"digest", nullptr}}), ""),
                  "\"manifests[0].digest\" is missing");
    check_invalid(parse_index(patched({{"mediaType", nullptr}}), ""),
                  "\"manifests[0].mediaType\" is missing");
    check_invalid(parse_index(patched({{"mediaType", 1}}), ""), "\"manifests[0].mediaType\"");
    check_invalid(parse_index(patched({{"annotations", {{"k", 1}}}}), ""),
                  "\"manifests[0].annotations.k\"");
    check_invalid(parse_index(patched({{"urls", "https://x"}}), ""), "\"manifests[0].urls\"");
    check_invalid(parse_index(patched({{"platform", "linux/amd64"}}), ""),
                  "\"manifests[0].platform\"");
    check_invalid(parse_index(patched({{"platform", {{"os", "linux"}}}}), ""),
                  "\"manifests[0].platform.architecture\" is missing");
    check_invalid(parse_index(patched({{"platform", {{"os", "linux"}, {"architecture", 64}}}}), ""),
                  "\"manifests[0].platform.architecture\"");
    check_invalid(parse_index(index_with("not an object"), ""), "\"manifests[0]\"");

    // Manifest-side fields.
    check_invalid(parse_manifest(with(oci_manifest, {{"config", {{"size", -5}}}}), ""),
                  "\"config.size\"");
    check_invalid(parse_manifest(with(oci_manifest, {{"config", nullptr}}), ""),
                  "\"config\" is missing");
    check_invalid(parse_manifest(with(oci_manifest, {{"layers", nullptr}}), ""),
                  "\"layers\" is missing");
    check_invalid(parse_manifest(with(oci_manifest, {{"layers", {{"a", 1}}}}), ""),
                  "\"layers\" must be an array");
    auto bad_layer = nlohmann::json::parse(oci_manifest);
    bad_layer["layers"][1]["digest"] = "sha256:zz";
    check_invalid(parse_manifest(bad_layer.dump(), ""), "\"layers[1].digest\"");
    check_invalid(parse_index(R"({"schemaVersion": 2})", ""), "\"manifests\" is missing");
    check_invalid(parse_index(R"({"manifests": {}})", ""), "\"manifests\" must be an array");
    check_invalid(parse_index(R"({"manifests": [], "schemaVersion": "2"})", ""),
                  "\"schemaVersion\"");
    check_invalid(parse_index(R"({"manifests": [], "schemaVersion": 3})", ""), "\"schemaVersion\"");
    check_invalid(parse_index("", ""), "not valid JSON");
    check_invalid(parse_index("null", ""), "not a JSON object");
}

TEST_CASE("oci: refuses Docker schema 1", "[oci]") {
    const std::string schema1 = R"({
      "schemaVersion": 1, "name": "library/alpine", "tag": "latest", "architecture": "amd64",
      "fsLayers": [{"blobSum": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}],
      "history": []
    })";
    const std::string hint = "schema 1 is not supported; push the image again with a current docker";
    check_invalid(parse_manifest(schema1, ""), hint);
    check_invalid(parse_manifest(schema1, mt::docker_manifest_v1_signed), hint);
    check_invalid(parse_manifest(oci_manifest, mt::docker_manifest_v1), hint);
    check_invalid(parse_index(schema1, ""), hint);
    check_invalid(detect_document_type(schema1), hint);
    check_invalid(detect_document_type(with(schema1, {{"schemaVersion", nullptr}})), hint);
    check_invalid(
        detect_document_type(R"({"mediaType": "application/vnd.docker.distribution.manifest.v1+json"})"),
        hint);
}

TEST_CASE("oci: refuses an index read as a manifest and the other way (CVE-2021-41190)", "[oci]") {
    // By media type.
    check_invalid(parse_manifest(buildkit_index, ""), "mediaType");
    check_invalid(parse_index(oci_manifest, ""), "mediaType");
    check_invalid(parse_manifest(oci_manifest, mt::oci_index), "served as");
    check_invalid(parse_index(buildkit_index, mt::oci_manifest), "served as");
    // By shape, when the document has no mediaType.
    auto untyped_index = nlohmann::json::parse(buildkit_index);
    untyped_index.erase("mediaType");
    check_invalid(parse_manifest(untyped_index.dump(), ""), "\"manifests\"");
    check_invalid(parse_manifest(untyped_index.dump(), mt::oci_manifest), "\"manifests\"");
    auto untyped_manifest = nlohmann::json::parse(oci_manifest);
    untyped_manifest.erase("mediaType");
    check_invalid(parse_index(untyped_manifest.dump(), ""), "\"config\"");
    // A polyglot: a manifest's fields inside an index.
    auto polyglot = nlohmann::json::parse(buildkit_index);
    polyglot["layers"] = nlohmann::json::parse(oci_manifest)["layers"];
    check_invalid(parse_index(polyglot.dump(), mt::oci_index), "\"layers\"");
    check_invalid(detect_document_type(polyglot.dump()), "ambiguous");
}

TEST_CASE("oci: refuses a mediaType that disagrees with the transport", "[oci]") {
    check_invalid(parse_index(docker_manifest_list, mt::oci_index), "served as");
    check_invalid(parse_manifest(docker_manifest, mt::oci_manifest), "served as");
    check_invalid(parse_manifest(oci_manifest, "application/json"), "served as");
    check_invalid(parse_manifest(with(oci_manifest, {{"mediaType", "application/vnd.foo+json"}}), ""),
                  "mediaType");
}

TEST_CASE("oci: enforces the entry and layer count limits", "[oci]") {
    deskext::Limits limits;
    limits.max_index_entries = 2;
    limits.max_layers = 1;
    check_invalid(parse_index(buildkit_index, "", limits), "more than the limit of 2");
    check_invalid(parse_manifest(oci_manifest, "", limits), "more than the limit of 1");
    limits.max_index_entries = 3;
    limits.max_layers = 2;
    CHECK(parse_index(buildkit_index, "", limits));
    CHECK(parse_manifest(oci_manifest, "", limits));
    limits.max_manifest_bytes = 100;
    check_invalid(parse_manifest(oci_manifest, "", limits), "limit of 100");
}

TEST_CASE("oci: a document larger than max_manifest_bytes is refused before parsing", "[oci]") {
    const deskext::Limits limits;
    // Valid JSON padded past the cap: read_all must refuse it, so it never reaches the parser.
    std::string huge = R"({"schemaVersion": 2, "manifests": [], "pad": ")";
    huge += std::string(limits.max_manifest_bytes, 'x');
    huge += "\"}";
    deskext::StringReader reader(huge);
    auto read = deskext::read_all(reader, limits.max_manifest_bytes);
    REQUIRE_FALSE(read);
    CHECK(read.error().code == ErrorCode::invalid_extension);
    CHECK(read.error().message.find(std::to_string(limits.max_manifest_bytes)) !=
          std::string::npos);
    // And the parsers themselves refuse it too.
    check_invalid(parse_index(huge, ""), "limit");
}

TEST_CASE("oci: detects the document type", "[oci]") {
    CHECK(detect_document_type(buildkit_index).value() == mt::oci_index);
    CHECK(detect_document_type(docker_manifest_list).value() == mt::docker_manifest_list);
    CHECK(detect_document_type(oci_manifest).value() == mt::oci_manifest);
    CHECK(detect_document_type(docker_manifest).value() == mt::docker_manifest);
    CHECK(detect_document_type(R"({"schemaVersion": 2, "manifests": []})").value() == mt::oci_index);
    CHECK(detect_document_type(R"({"config": {}, "layers": []})").value() == mt::oci_manifest);
    check_invalid(detect_document_type(R"({"schemaVersion": 2})"), "neither");
    check_invalid(detect_document_type(R"({"mediaType": "application/vnd.oci.image.config.v1+json"})"),
                  "mediaType");
    check_invalid(detect_document_type(R"({"mediaType": 4})"), "mediaType");
    auto lying = nlohmann::json::parse(oci_manifest);
    lying["mediaType"] = mt::oci_index;
    check_invalid(detect_document_type(lying.dump()), "image index");
}

TEST_CASE("oci: to_json writes a descriptor that parses back", "[oci]") {
    Descriptor descriptor;
    descriptor.media_type = std::string(mt::oci_manifest);
    descriptor.digest = deskext::Digest::parse(digest_of('f')).value();
    descriptor.size = 42;
    descriptor.platform = deskext::platform::make_platform("linux", "arm", "v7");
    descriptor.annotations = {{"org.opencontainers.image.ref.name", "1.0"}};
    const std::string json = to_json(descriptor);
    const auto parsed = nlohmann::json::parse(json);
    CHECK(parsed["mediaType"] == mt::oci_manifest);
    CHECK(parsed["digest"] == digest_of('f'));
    CHECK(parsed["size"] == 42);
    CHECK(parsed["platform"]["os"] == "linux");
    CHECK(parsed["platform"]["architecture"] == "arm");
    CHECK(parsed["platform"]["variant"] == "v7");
    CHECK_FALSE(parsed.contains("urls"));

    nlohmann::json index = {{"schemaVersion", 2},
                            {"mediaType", mt::oci_index},
                            {"manifests", nlohmann::json::array({parsed})}};
    auto round = parse_index(index.dump(), "");
    REQUIRE(round);
    REQUIRE(round->manifests.size() == 1);
    const Descriptor& back = round->manifests[0];
    CHECK(back.media_type == descriptor.media_type);
    CHECK(back.digest == descriptor.digest);
    CHECK(back.size == descriptor.size);
    CHECK(back.platform == descriptor.platform);
    CHECK(back.annotations == descriptor.annotations);

    Descriptor plain;
    plain.media_type = std::string(mt::oci_layer_gzip);
    plain.digest = descriptor.digest;
    const auto plain_json = nlohmann::json::parse(to_json(plain));
    CHECK_FALSE(plain_json.contains("platform"));
    CHECK_FALSE(plain_json.contains("annotations"));
}

TEST_CASE("oci: layer compression from the media type", "[oci]") {
    CHECK(layer_compression(mt::oci_layer_tar).value() == Compression::none);
    CHECK(layer_compression(mt::oci_layer_gzip).value() == Compression::gzip);
    CHECK(layer_compression(mt::oci_layer_zstd).value() == Compression::zstd);
    CHECK(layer_compression(mt::oci_layer_nondist_tar).value() == Compression::none);
    CHECK(layer_compression(mt::oci_layer_nondist_gzip).value() == Compression::gzip);
    CHECK(layer_compression(mt::docker_layer_gzip).value() == Compression::gzip);
    CHECK(layer_compression(mt::docker_layer_foreign_gzip).value() == Compression::gzip);
    CHECK(layer_compression(mt::docker_layer_tar).value() == Compression::none);
    check_invalid(layer_compression("application/vnd.in-toto+json"),
                  "application/vnd.in-toto+json");
    check_invalid(layer_compression("application/vnd.oci.image.layer.v1.tar+bzip2"),
                  "tar+bzip2");
    check_invalid(layer_compression(""), "\"\"");
}
