#include <catch2/catch.hpp>

#include <string>

#include "deskext/oci/media_types.hpp"
#include "deskext/oci/platform_match.hpp"

using deskext::ErrorCode;
using deskext::platform::make_platform;
using deskext::platform::Platform;
using namespace deskext::oci;

namespace {

Descriptor entry(char digest_char, std::optional<Platform> platform,
                 Annotations annotations = {}) {
    Descriptor d;
    d.media_type = std::string(deskext::media_type::oci_manifest);
    d.digest = deskext::Digest::parse("sha256:" + std::string(64, digest_char)).value();
    d.size = 100;
    d.platform = std::move(platform);
    d.annotations = std::move(annotations);
    return d;
}

Descriptor attestation(char digest_char) {
    return entry(digest_char, make_platform("unknown", "unknown"),
                 {{"vnd.docker.reference.type", "attestation-manifest"}});
}

Index make_index(std::vector<Descriptor> manifests) {
    Index index;
    index.media_type = std::string(deskext::media_type::oci_index);
    index.manifests = std::move(manifests);
    return index;
}

}  // namespace

TEST_CASE("platform_match: picks the entry for the wanted platform", "[oci][platform_match]") {
    const Index index = make_index({entry('1', make_platform("linux", "amd64")),
                                    entry('2', make_platform("linux", "arm64", "v8")),
                                    attestation('3'), attestation('4')});
    auto amd64 = select_manifest(index, make_platform("linux", "amd64"));
    REQUIRE(amd64);
    CHECK(amd64->digest.hex() == std::string(64, '1'));
    auto arm64 = select_manifest(index, make_platform("linux", "arm64"));
    REQUIRE(arm64);
    CHECK(arm64->digest.hex() == std::string(64, '2'));
}

TEST_CASE("platform_match: x86_64 and aarch64 are normalised", "[oci][platform_match]") {
    const Index index = make_index({entry('1', make_platform("linux", "x86_64")),
                                    entry('2', make_platform("linux", "aarch64"))});
    CHECK(select_manifest(index, make_platform("linux", "x86_64"))->digest.hex() ==
          std::string(64, '1'));
    CHECK(select_manifest(index, make_platform("linux", "amd64"))->digest.hex() ==
          std::string(64, '1'));
    CHECK(select_manifest(index, make_platform("linux", "arm64", "v8"))->digest.hex() ==
          std::string(64, '2'));
}

TEST_CASE("platform_match: arm64 without variant matches arm64/v8 and the other way",
          "[oci][platform_match]") {
    // Entries written by hand, not through make_platform, still match after normalisation.
    const Index v8 = make_index({entry('1', Platform{"linux", "arm64", "v8"})});
    auto a = select_manifest(v8, make_platform("linux", "arm64"));
    REQUIRE(a);
    CHECK(a->digest.hex() == std::string(64, '1'));
    const Index bare = make_index({entry('2', Platform{"linux", "arm64", ""})});
    auto b = select_manifest(bare, Platform{"linux", "arm64", "v8"});
    REQUIRE(b);
    CHECK(b->digest.hex() == std::string(64, '2'));
}

TEST_CASE("platform_match: attestations and platformless entries are never chosen",
          "[oci][platform_match]") {
    // A Docker-annotated attestation that carries a real-looking platform is still skipped.
    const Index index = make_index(
        {entry('1', std::nullopt), attestation('2'),
         entry('3', make_platform("linux", "amd64"),
               {{"vnd.docker.reference.type", "attestation-manifest"}}),
         entry('4', make_platform("linux", "unknown")), entry('5', make_platform("linux", "amd64"))});
    auto chosen = select_manifest(index, make_platform("linux", "amd64"));
    REQUIRE(chosen);
    CHECK(chosen->digest.hex() == std::string(64, '5'));
    const auto platforms = image_platforms(index);
    REQUIRE(platforms.size() == 1);
    CHECK(platforms[0] == make_platform("linux", "amd64"));

    auto unknown = select_manifest(make_index({attestation('2')}), make_platform("unknown", "unknown"));
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ErrorCode::no_matching_platform);
}

TEST_CASE("platform_match: the first of several matching entries wins", "[oci][platform_match]") {
    const Index index = make_index({entry('1', make_platform("linux", "arm64", "v8")),
                                    entry('2', make_platform("linux", "arm64"))});
    CHECK(select_manifest(index, make_platform("linux", "arm64"))->digest.hex() ==
          std::string(64, '1'));
    CHECK(image_platforms(index).size() == 1);
}

TEST_CASE("platform_match: 32-bit arm variants", "[oci][platform_match]") {
    const Index index = make_index({entry('6', make_platform("linux", "arm", "v6")),
                                    entry('7', make_platform("linux", "arm", "v7")),
                                    entry('5', make_platform("linux", "arm", "v5"))});
    CHECK(select_manifest(index, make_platform("linux", "arm", "v6"))->digest.hex() ==
          std::string(64, '6'));
    // No variant asked: the highest one.
    CHECK(select_manifest(index, make_platform("linux", "arm"))->digest.hex() ==
          std::string(64, '7'));
    auto v8 = select_manifest(index, make_platform("linux", "arm", "v8"));
    REQUIRE_FALSE(v8);
    CHECK(v8.error().code == ErrorCode::no_matching_platform);
}

TEST_CASE("platform_match: no match lists the platforms the image has", "[oci][platform_match]") {
    const Index index = make_index({entry('1', make_platform("linux", "amd64")),
                                    entry('2', make_platform("linux", "arm", "v7")),
                                    attestation('3')});
    auto result = select_manifest(index, make_platform("linux", "arm64"));
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::no_matching_platform);
    CHECK(deskext::exit_code(result.error().code) == 4);
    CHECK(result.error().message ==
          "no linux/arm64 variant in the image; it has: linux/amd64, linux/arm/v7");

    // The OS must match too: a darwin host never gets a linux image by accident.
    auto darwin = select_manifest(index, make_platform("darwin", "amd64"));
    REQUIRE_FALSE(darwin);
    CHECK(darwin.error().code == ErrorCode::no_matching_platform);

    auto empty = select_manifest(make_index({attestation('3')}), make_platform("linux", "amd64"));
    REQUIRE_FALSE(empty);
    CHECK(empty.error().message.find("no linux/amd64 variant in the image") == 0);
}

TEST_CASE("platform_match: image_platforms lists platforms in index order",
          "[oci][platform_match]") {
    const Index index = make_index({entry('2', make_platform("linux", "arm64", "v8")),
                                    attestation('3'), entry('1', make_platform("linux", "x86_64")),
                                    entry('4', make_platform("windows", "amd64"))});
    const auto platforms = image_platforms(index);
    REQUIRE(platforms.size() == 3);
    CHECK(deskext::platform::to_string(platforms[0]) == "linux/arm64");
    CHECK(deskext::platform::to_string(platforms[1]) == "linux/amd64");
    CHECK(deskext::platform::to_string(platforms[2]) == "windows/amd64");
}
