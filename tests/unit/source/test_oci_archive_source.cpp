#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "fixtures/oci_archive.hpp"
#include "fixtures/temp_dir.hpp"
#include "source/tar_index.hpp"
#include "unit/source/source_helpers.hpp"

using deskext::ErrorCode;
namespace fx = deskext::fixtures;
namespace t = deskext::test;

// [posix]: skopeo writes its archive, and the process fixture runs it on Linux only.
TEST_CASE("source: oci-archive written by skopeo resolves both platforms in place",
          "[source][posix]") {
    fx::TempDir tmp;
    t::write_two_platform_layout(tmp / "layout");
    const auto archive = (tmp / "image.tar").string();
    t::skopeo({"copy", "--all", "oci:" + (tmp / "layout").string() + ":1.0",
               "oci-archive:" + archive + ":1.0"});
    for (const std::string& text :
         {"oci-archive:" + archive + ":1.0", "oci-archive:" + archive, archive}) {
        auto source = t::must_open(text);
        CHECK_THAT(source->describe(), Catch::StartsWith("oci-archive:" + archive));
        t::check_two_platform_source(*source);
    }
    // Nothing was unpacked next to the archive.
    CHECK(std::distance(std::filesystem::directory_iterator(tmp.path()),
                        std::filesystem::directory_iterator()) == 2);

    std::string message;
    CHECK(t::open_error("oci-archive:" + archive + ":2.0", &message) == ErrorCode::not_found);
    CHECK_THAT(message, Catch::Contains("1.0"));
}

// [posix]: skopeo writes its archive, and the process fixture runs it on Linux only.
TEST_CASE("source: oci-archive with a corrupted layer byte fails integrity when drained",
          "[source][posix]") {
    fx::TempDir tmp;
    t::write_two_platform_layout(tmp / "layout");
    const auto archive = tmp / "image.tar";
    t::skopeo({"copy", "--all", "oci:" + (tmp / "layout").string() + ":1.0",
               "oci-archive:" + archive.string() + ":1.0"});

    auto source = t::must_open("oci-archive:" + archive.string());
    const auto index = t::parse_index_document(*source->resolve());
    const auto manifest = t::parse_manifest_document(*source->fetch_manifest(index.manifests[0]));
    const auto& layer = manifest.layers.at(1);

    auto members = deskext::source::TarIndex::scan(archive.string(), 1000);
    REQUIRE(members.has_value());
    const auto member = members->find("blobs/sha256/" + layer.digest.hex());
    REQUIRE(member.has_value());
    REQUIRE(member->size == layer.size);
    t::flip_byte(archive, member->offset + member->size / 2);

    auto drained = t::drain_blob(*source, layer);
    REQUIRE_FALSE(drained.has_value());
    CHECK(drained.error().code == ErrorCode::integrity);
    // The other layers are still fine.
    REQUIRE(t::drain_blob(*source, manifest.layers.at(0)).has_value());
}

TEST_CASE("source: oci-archive members with ./ prefixes and pax long names are found", "[source]") {
    fx::TempDir tmp;
    t::write_two_platform_layout(tmp / "layout", "1.0", fx::TarCompression::none);
    auto entries = t::entries_of(tmp / "layout", "./");
    // Long names need pax headers, which shift the data of every later member.
    const std::string long_name = "./" + std::string(200, 'p') + "/" + std::string(180, 'q');
    entries.insert(entries.begin(), fx::file(long_name, std::string(1000, 'z')));
    entries.insert(entries.begin(), fx::dir("./" + std::string(200, 'p')));
    t::write_bytes(tmp / "image.tar", fx::make_tar(entries, fx::TarCompression::none));

    auto source = t::must_open((tmp / "image.tar").string());
    CHECK_THAT(source->describe(), Catch::StartsWith("oci-archive:"));
    t::check_two_platform_source(*source);

    // The archive fixture's output reads the same.
    fx::write_oci_archive(tmp / "layout", tmp / "fixture.tar");
    t::check_two_platform_source(*t::must_open("oci-archive:" + (tmp / "fixture.tar").string()));
}

TEST_CASE("source: a compressed oci-archive is refused with a clear message", "[source]") {
    fx::TempDir tmp;
    t::write_two_platform_layout(tmp / "layout");
    t::write_bytes(tmp / "image.tar.gz",
                   fx::make_tar(t::entries_of(tmp / "layout"), fx::TarCompression::gzip));
    std::string message;
    CHECK(t::open_error("oci-archive:" + (tmp / "image.tar.gz").string(), &message) ==
          ErrorCode::usage);
    CHECK_THAT(message, Catch::Contains("decompress first"));
    CHECK(t::open_error((tmp / "image.tar.gz").string()) == ErrorCode::usage);
}

// [posix]: Windows names may not contain ':'; skopeo, run by the Linux-only process fixture,
// writes the archive too.
TEST_CASE("source: oci-archive paths may contain ':'", "[source][posix]") {
    fx::TempDir tmp;
    t::write_two_platform_layout(tmp / "layout");
    std::filesystem::create_directories(tmp / "a:b");
    const auto archive = (tmp / "a:b" / "image:v1.tar").string();
    // skopeo itself cuts its argument at the first ':', so the archive is moved there after.
    t::skopeo({"copy", "--all", "oci:" + (tmp / "layout").string() + ":1.0",
               "oci-archive:" + (tmp / "image.tar").string() + ":1.0"});
    std::filesystem::rename(tmp / "image.tar", archive);
    for (const std::string& text :
         {"oci-archive:" + archive + ":1.0", "oci-archive:" + archive, archive}) {
        auto source = t::must_open(text);
        CHECK(deskext::media_type::is_index(source->resolve()->media_type));
    }
    std::string message;
    CHECK(t::open_error("oci-archive:" + (tmp / "a:b" / "missing:v1.tar").string() + ":1.0",
                        &message) == ErrorCode::not_found);
    CHECK_THAT(message, Catch::Contains("missing:v1.tar"));
}
