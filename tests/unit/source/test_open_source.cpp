#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <utility>

#include "fixtures/temp_dir.hpp"
#include "unit/source/source_helpers.hpp"

using deskext::ErrorCode;
namespace fx = deskext::fixtures;
namespace t = deskext::test;

// [posix]: skopeo writes its archive, and the process fixture runs it on Linux only.
TEST_CASE("source: open_source detects the format of a plain path", "[source][posix]") {
    fx::TempDir tmp;
    t::write_two_platform_layout(tmp / "layout");
    t::skopeo({"copy", "--all", "oci:" + (tmp / "layout").string() + ":1.0",
               "oci-archive:" + (tmp / "oci.tar").string() + ":1.0"});
    t::skopeo({"copy", "--override-arch", "arm64", "oci:" + (tmp / "layout").string() + ":1.0",
               "docker-archive:" + (tmp / "docker.tar").string() + ":example/ext:1.0"});

    CHECK_THAT(t::must_open((tmp / "layout").string())->describe(), Catch::StartsWith("oci:"));
    CHECK_THAT(t::must_open((tmp / "oci.tar").string())->describe(),
               Catch::StartsWith("oci-archive:"));
    CHECK_THAT(t::must_open((tmp / "docker.tar").string())->describe(),
               Catch::StartsWith("docker-archive:"));

    // A relative path works too.
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(tmp.path());
    auto relative = deskext::open_source("oci.tar", {});
    auto relative_oci = deskext::open_source("oci:layout:1.0", {});
    std::filesystem::current_path(cwd);
    CHECK(relative.has_value());
    CHECK(relative_oci.has_value());

    SECTION("an explicit transport must match the content") {
        CHECK(t::open_error("oci:" + (tmp / "oci.tar").string()) == ErrorCode::usage);
        CHECK(t::open_error("oci-archive:" + (tmp / "layout").string()) == ErrorCode::usage);
        CHECK(t::open_error("oci-archive:" + (tmp / "docker.tar").string()) == ErrorCode::usage);
        CHECK(t::open_error("docker-archive:" + (tmp / "layout").string()) == ErrorCode::usage);
    }
}

TEST_CASE("source: open_source refuses what it cannot read, naming it", "[source]") {
    fx::TempDir tmp;
    std::string message;

    CHECK(t::open_error((tmp / "missing.tar").string(), &message) == ErrorCode::not_found);
    CHECK_THAT(message, Catch::Contains("missing.tar"));
    CHECK(t::open_error("./nowhere/image.tar") == ErrorCode::not_found);
    CHECK(t::open_error("oci:" + (tmp / "nolayout").string() + ":1.0", &message) ==
          ErrorCode::not_found);
    CHECK_THAT(message, Catch::EndsWith((tmp / "nolayout").string()));
    CHECK(t::open_error("docker-archive:" + (tmp / "gone.tar").string() + ":example/ext:1.0",
                        &message) == ErrorCode::not_found);
    CHECK_THAT(message, Catch::EndsWith((tmp / "gone.tar").string()));

    std::filesystem::create_directories(tmp / "empty");
    CHECK(t::open_error((tmp / "empty").string(), &message) == ErrorCode::usage);
    CHECK_THAT(message, Catch::Contains("oci-layout"));

    t::write_bytes(tmp / "other.tar", fx::make_tar({fx::file("a", "b")}, fx::TarCompression::none));
    CHECK(t::open_error((tmp / "other.tar").string(), &message) == ErrorCode::usage);
    CHECK_THAT(message, Catch::Contains("other.tar"));

    CHECK(t::open_error("") == ErrorCode::usage);
    CHECK(t::open_error("oci:") == ErrorCode::usage);
    CHECK(t::open_error("docker-archive:") == ErrorCode::usage);
}

TEST_CASE("source: registry references open a registry source", "[source]") {
    // Opening fetches nothing: these names need no registry to be reachable.
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"docker://docker/volumes-backup-extension:1.1.0",
         "docker://docker.io/docker/volumes-backup-extension:1.1.0"},
        {"docker/volumes-backup-extension:1.1.0",
         "docker://docker.io/docker/volumes-backup-extension:1.1.0"},
        {"localhost:5000/acme/ext:1.0", "docker://localhost:5000/acme/ext:1.0"},
        {"alpine", "docker://docker.io/library/alpine:latest"},
        {"acme/ext@sha256:0000000000000000000000000000000000000000000000000000000000000000",
         "docker://docker.io/acme/ext@sha256:"
         "0000000000000000000000000000000000000000000000000000000000000000"},
    };
    for (const auto& [text, described] : cases) {
        INFO(text);
        auto source = deskext::open_source(text, {});
        REQUIRE(source.has_value());
        CHECK((*source)->describe() == described);
        CHECK((*source)->image_name() == std::string(described.substr(9)));
    }
    // A malformed reference is a usage error naming what is wrong.
    for (const std::string_view text :
         {"Acme/Ext:1.0", "acme/ext:-bad", "acme//ext", "acme/ext@md5:00"}) {
        std::string message;
        CHECK(t::open_error(std::string(text), &message) == ErrorCode::usage);
        CHECK_THAT(message, Catch::Contains("invalid reference"));
    }
    // ... but an existing path of that name is read as a path.
    fx::TempDir tmp;
    t::write_two_platform_layout(tmp / "alpine");
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(tmp.path());
    auto source = deskext::open_source("alpine", {});
    std::filesystem::current_path(cwd);
    REQUIRE(source.has_value());
    CHECK_THAT((*source)->describe(), Catch::StartsWith("oci:alpine"));
}

TEST_CASE("source: layout directories whose path contains ':'", "[source]") {
    fx::TempDir tmp;
    const auto dir = tmp / "images:v2" / "ext:1.0";
    std::filesystem::create_directories(dir.parent_path());
    t::write_two_platform_layout(dir);
    for (const std::string& text :
         {"oci:" + dir.string(), "oci:" + dir.string() + ":1.0", dir.string()}) {
        auto source = t::must_open(text);
        t::check_two_platform_source(*source);
    }
    CHECK(t::open_error("oci:" + dir.string() + ":9.9") == ErrorCode::not_found);
}

// Windows paths written as UNC paths (\\server\share\…, //server/share/…) or in the extended-length
// form (\\?\C:\…, \\?\UNC\server\share\…) are paths, never registry references, with or without a
// transport and a tag: a missing one is not_found, naming that path and nothing after it.
TEST_CASE("source: UNC and extended-length Windows paths are taken as paths", "[source]") {
    const std::string paths[] = {
        R"(\\server\share\ext.tar)",       R"(\\server\share\images\ext)", "//server/share/ext.tar",
        R"(\\?\UNC\server\share\ext.tar)", R"(\\?\C:\images\ext.tar)",     R"(\\server\share\ext)",
    };
    for (const auto& path : paths) {
        const std::pair<std::string, std::string> sources[] = {
            {path, ""},
            {"oci:" + path, ""},
            {"oci:" + path, ":1.0"},
            {"oci-archive:" + path, ""},
            {"oci-archive:" + path, ":1.0"},
            {"docker-archive:" + path, ""},
            {"docker-archive:" + path, ":acme/ext:1.0"},
        };
        for (const auto& [source, selector] : sources) {
            std::string message;
            CHECK(t::open_error(source + selector, &message) == ErrorCode::not_found);
            CHECK(message == "no such file or directory: " + path);
        }
    }
}
