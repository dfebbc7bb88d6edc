// An extension's identity and directory from every form of image name a source carries
// (docs/cli.md, "Extension identity"), and the directory names deskext used before.
#include "deskext/install/extension_name.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace deskext;

TEST_CASE("extension identity: the repository path, whatever the registry", "[install][identity]") {
    struct Row {
        std::string image_name;
        std::string identity;
        std::string directory;
    };
    const Row rows[] = {
        // registry references, fully qualified as registry sources carry them
        {"127.0.0.1:5000/acme/ext:1.0", "acme/ext", "acme_ext"},
        {"localhost:5000/acme/ext:1.0", "acme/ext", "acme_ext"},
        {"registry.example:5000/acme/ext@sha256:" + std::string(64, 'a'), "acme/ext", "acme_ext"},
        {"ghcr.io/acme/ext:1.0@sha256:" + std::string(64, 'b'), "acme/ext", "acme_ext"},
        {"[::1]:5000/acme/ext:1.0", "acme/ext", "acme_ext"},
        {"registry.example/team/acme/ext", "team/acme/ext", "team_acme_ext"},
        // podman names images it built localhost/NAME
        {"localhost/acme/ext:latest", "acme/ext", "acme_ext"},
        {"localhost/ext", "ext", "ext"},
        // Docker Hub, with and without its implicit parts
        {"docker.io/docker/volumes-backup-extension:1.1.0", "docker/volumes-backup-extension",
         "docker_volumes-backup-extension"},
        {"index.docker.io/acme/ext:1.0", "acme/ext", "acme_ext"},
        {"acme/ext:1.0", "acme/ext", "acme_ext"},
        {"acme/ext", "acme/ext", "acme_ext"},
        {"docker.io/library/ext:1.0", "ext", "ext"},
        {"library/ext", "ext", "ext"},
        {"ext:1.0", "ext", "ext"},
        {"mirror.gcr.io/library/ext:1.0", "ext", "ext"},
        {"docker.io/library/acme/ext", "library/acme/ext", "library_acme_ext"},
        // --name as people write it, or as ls shows a directory
        {"acme_ext", "acme_ext", "acme_ext"},
        {"127.0.0.1_5000_acme_ext", "127.0.0.1_5000_acme_ext", "127.0.0.1_5000_acme_ext"},
        {"My.Ext", "My.Ext", "My.Ext"},
    };
    for (const auto& row : rows) {
        INFO(row.image_name);
        auto identity = extension_identity(row.image_name);
        REQUIRE(identity);
        CHECK(*identity == row.identity);
        auto directory = extension_dir_name(row.image_name);
        REQUIRE(directory);
        CHECK(*directory == row.directory);
    }
}

TEST_CASE("extension identity: names no directory can hold are refused", "[install][identity]") {
    const std::string too_long(201, 'a');
    for (const std::string bad : {"", "localhost:5000/", "localhost/.hidden", "acme/e xt",
                                  "acme/ext\\x", "library/", "..", too_long.c_str()}) {
        INFO(bad);
        auto identity = extension_identity(bad);
        REQUIRE_FALSE(identity);
        CHECK(identity.error().code == ErrorCode::usage);
        CHECK_FALSE(extension_dir_name(bad));
    }
}

TEST_CASE("extension identity: the directory names of earlier versions kept the host",
          "[install][identity]") {
    CHECK(former_extension_dir_name("127.0.0.1:5000/acme/ext:1.0") == "127.0.0.1_5000_acme_ext");
    CHECK(former_extension_dir_name("localhost/acme/ext") == "localhost_acme_ext");
    CHECK(former_extension_dir_name("docker.io/acme/ext:1.0") == "acme_ext");
    CHECK(former_extension_dir_name("index.docker.io/acme/ext") == "acme_ext");
    CHECK(former_extension_dir_name("docker.io/library/ext:1.0") == "library_ext");
    CHECK(former_extension_dir_name("[::1]:5000/acme/ext") == std::nullopt);
}

TEST_CASE("extension identity: the tag of an image name", "[install][identity]") {
    CHECK(image_tag("acme/ext:1.0") == "1.0");
    CHECK(image_tag("127.0.0.1:5000/acme/ext:0.0.1") == "0.0.1");
    CHECK(image_tag("127.0.0.1:5000/acme/ext") == "");
    CHECK(image_tag("acme/ext:1.0@sha256:" + std::string(64, 'c')) == "1.0");
    CHECK(image_tag("acme/ext@sha256:" + std::string(64, 'c')) == "");
}
