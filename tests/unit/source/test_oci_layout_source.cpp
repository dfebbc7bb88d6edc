#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "deskext/oci/media_types.hpp"
#include "fixtures/oci_layout.hpp"
#include "fixtures/temp_dir.hpp"
#include "unit/source/source_helpers.hpp"

using deskext::ErrorCode;
namespace fx = deskext::fixtures;
namespace t = deskext::test;

TEST_CASE("source: oci layout resolves a two-platform index and verifies every blob", "[source]") {
    fx::TempDir tmp;
    t::write_two_platform_layout(tmp / "layout");
    const std::string dir = (tmp / "layout").string();
    for (const std::string& text : {"oci:" + dir + ":1.0", "oci:" + dir, dir}) {
        auto source = t::must_open(text);
        CHECK_THAT(source->describe(), Catch::StartsWith("oci:" + dir));
        CHECK_FALSE(source->image_name().has_value());  // ref.name is only a tag
        t::check_two_platform_source(*source);
    }
}

TEST_CASE("source: oci layout selects the entry its tag names", "[source]") {
    fx::TempDir tmp;
    const auto dir = tmp / "layout";
    {
        fx::OciLayoutWriter writer(dir);
        const auto amd64 = writer.add_variant(t::variant("amd64"));
        const auto arm64 = writer.add_variant(t::variant("arm64"));
        writer.add_index({amd64, arm64}, "1.0",
                         {{"io.containerd.image.name", "docker.io/example/ext:1.0"}});
        writer.tag_manifest(arm64, "arm-only");
    }
    const std::string base = "oci:" + dir.string();

    std::string message;
    CHECK(t::open_error(base, &message) == ErrorCode::usage);
    CHECK_THAT(message, Catch::Contains("1.0") && Catch::Contains("arm-only"));
    CHECK(t::open_error(base + ":2.0", &message) == ErrorCode::not_found);
    CHECK_THAT(message, Catch::Contains("2.0") && Catch::Contains("arm-only"));

    auto tagged = t::must_open(base + ":1.0");
    CHECK(tagged->image_name() == "docker.io/example/ext:1.0");
    t::check_two_platform_source(*tagged);

    // A full name matches io.containerd.image.name, with or without docker.io/.
    for (const std::string_view name : {"example/ext:1.0", "docker.io/example/ext:1.0"}) {
        auto by_name = t::must_open(base + ":" + std::string(name));
        CHECK(by_name->image_name() == "docker.io/example/ext:1.0");
        CHECK(deskext::media_type::is_index(by_name->resolve()->media_type));
    }

    // A single manifest tagged directly is resolved as a manifest.
    auto single = t::must_open(base + ":arm-only");
    CHECK_FALSE(single->image_name().has_value());
    auto document = single->resolve();
    REQUIRE(document.has_value());
    CHECK(document->media_type == deskext::media_type::oci_manifest);
    t::drain_image(*single, t::parse_manifest_document(*document));
}

TEST_CASE("source: oci layout refuses a corrupted, missing or mislabelled blob", "[source]") {
    fx::TempDir tmp;
    const auto dir = tmp / "layout";
    deskext::oci::Descriptor index_descriptor;
    deskext::oci::Descriptor manifest;
    {
        fx::OciLayoutWriter writer(dir);
        manifest = writer.add_variant(t::variant("amd64"));
        index_descriptor = writer.add_index({manifest}, "1.0");
        auto lying = index_descriptor;  // an index presented as a manifest (CVE-2021-41190)
        lying.media_type = std::string(deskext::media_type::oci_manifest);
        writer.tag_manifest(lying, "lying");
    }
    auto source = t::must_open("oci:" + dir.string() + ":1.0");
    auto manifest_document = source->fetch_manifest(manifest);
    REQUIRE(manifest_document.has_value());
    const auto parsed = t::parse_manifest_document(*manifest_document);
    const auto& layer = parsed.layers.at(1);
    const auto blob = dir / "blobs" / "sha256" / layer.digest.hex();

    SECTION("a flipped byte fails when drained") {
        t::flip_byte(blob, layer.size / 2);
        auto drained = t::drain_blob(*source, layer);
        REQUIRE_FALSE(drained.has_value());
        CHECK(drained.error().code == ErrorCode::integrity);
    }
    SECTION("a missing blob is not_found, naming it") {
        std::filesystem::remove(blob);
        auto opened = source->open_blob(layer);
        REQUIRE_FALSE(opened.has_value());
        CHECK(opened.error().code == ErrorCode::not_found);
        CHECK_THAT(opened.error().message, Catch::Contains(layer.digest.hex()));
    }
    SECTION("a descriptor with a wrong size fails") {
        auto wrong = layer;
        wrong.size -= 1;
        auto drained = t::drain_blob(*source, wrong);
        REQUIRE_FALSE(drained.has_value());
        CHECK(drained.error().code == ErrorCode::integrity);
    }
    SECTION("a descriptor without a sha256 digest is refused") {
        auto empty = layer;
        empty.digest = deskext::Digest{};
        auto opened = source->open_blob(empty);
        REQUIRE_FALSE(opened.has_value());
        CHECK(opened.error().code == ErrorCode::usage);
    }
    SECTION("an index listed as a manifest is refused") {
        auto lying = t::must_open("oci:" + dir.string() + ":lying");
        auto document = lying->resolve();
        REQUIRE_FALSE(document.has_value());
        CHECK(document.error().code == ErrorCode::invalid_extension);
    }
    SECTION("documents over the cap are refused before they are read") {
        deskext::SourceOptions options;
        options.limits.max_manifest_bytes = 64;
        auto capped = deskext::open_source("oci:" + dir.string() + ":1.0", options);
        REQUIRE_FALSE(capped.has_value());  // index.json itself
        CHECK(capped.error().code == ErrorCode::invalid_extension);
        auto huge = manifest;
        huge.size = std::int64_t{5} << 20;
        auto document = source->fetch_manifest(huge);
        REQUIRE_FALSE(document.has_value());
        CHECK(document.error().code == ErrorCode::invalid_extension);
    }
    SECTION("read_small_blob reads the config verified and capped") {
        auto config = deskext::read_small_blob(*source, parsed.config, 1u << 20);
        REQUIRE(config.has_value());
        CHECK(deskext::sha256_of(*config) == parsed.config.digest);
        auto capped = deskext::read_small_blob(*source, parsed.config, 10);
        REQUIRE_FALSE(capped.has_value());
        CHECK(capped.error().code == ErrorCode::invalid_extension);
    }
}

TEST_CASE("source: oci layout without oci-layout or index.json is refused", "[source]") {
    fx::TempDir tmp;
    t::write_two_platform_layout(tmp / "layout");
    SECTION("no oci-layout") {
        std::filesystem::remove(tmp / "layout" / "oci-layout");
        CHECK(t::open_error("oci:" + (tmp / "layout").string()) == ErrorCode::usage);
        CHECK(t::open_error((tmp / "layout").string()) == ErrorCode::usage);
    }
    SECTION("no index.json") {
        std::filesystem::remove(tmp / "layout" / "index.json");
        CHECK(t::open_error("oci:" + (tmp / "layout").string()) == ErrorCode::invalid_extension);
    }
    SECTION("a bad oci-layout") {
        t::write_bytes(tmp / "layout" / "oci-layout", R"({"imageLayoutVersion": 2})");
        CHECK(t::open_error("oci:" + (tmp / "layout").string()) == ErrorCode::invalid_extension);
    }
}
