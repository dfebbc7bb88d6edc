#include <catch2/catch.hpp>

#include <string>

#include "deskext/registry/reference.hpp"

using deskext::ErrorCode;
using deskext::registry::Reference;

namespace {
const std::string zeros(64, '0');
}

TEST_CASE("registry: references are normalised as Docker does", "[registry]") {
    struct Case {
        std::string text;
        std::string normalised;
        std::string api_host;
        std::string manifest_ref;
    };
    const Case cases[] = {
        {"foo", "docker.io/library/foo:latest", "registry-1.docker.io", "latest"},
        {"foo:1.0", "docker.io/library/foo:1.0", "registry-1.docker.io", "1.0"},
        {"docker/volumes-backup-extension:1.1.0", "docker.io/docker/volumes-backup-extension:1.1.0",
         "registry-1.docker.io", "1.1.0"},
        {"docker.io/foo", "docker.io/library/foo:latest", "registry-1.docker.io", "latest"},
        {"index.docker.io/acme/ext", "docker.io/acme/ext:latest", "registry-1.docker.io", "latest"},
        {"localhost/ext", "localhost/ext:latest", "localhost", "latest"},
        {"localhost:5000/acme/ext:1.0", "localhost:5000/acme/ext:1.0", "localhost:5000", "1.0"},
        {"127.0.0.1:5000/a/b/c:v_1.2-rc", "127.0.0.1:5000/a/b/c:v_1.2-rc", "127.0.0.1:5000",
         "v_1.2-rc"},
        {"ghcr.io/acme/ext", "ghcr.io/acme/ext:latest", "ghcr.io", "latest"},
        {"[::1]:5000/ext:1", "[::1]:5000/ext:1", "[::1]:5000", "1"},
        {"acme/my_ext__x.y-z---w", "docker.io/acme/my_ext__x.y-z---w:latest",
         "registry-1.docker.io", "latest"},
        {"acme/ext@sha256:" + zeros, "docker.io/acme/ext@sha256:" + zeros, "registry-1.docker.io",
         "sha256:" + zeros},
        {"reg.example.com:443/acme/ext:1.0@sha256:" + zeros,
         "reg.example.com:443/acme/ext:1.0@sha256:" + zeros, "reg.example.com:443",
         "sha256:" + zeros},
        // A first component with upper case is a host (distribution/reference splitDockerDomain).
        {"Registry/ext", "Registry/ext:latest", "Registry", "latest"},
        // host:port alone is a repository and a tag, as Docker reads it.
        {"localhost:5000", "docker.io/library/localhost:5000", "registry-1.docker.io", "5000"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        auto ref = Reference::parse(c.text);
        REQUIRE(ref.has_value());
        CHECK(ref->to_string() == c.normalised);
        CHECK(ref->api_host() == c.api_host);
        CHECK(ref->manifest_ref() == c.manifest_ref);
    }
    auto hub = Reference::parse("foo");
    REQUIRE(hub);
    CHECK(hub->domain == "docker.io");
    CHECK(hub->path == "library/foo");
    CHECK(hub->repository() == "docker.io/library/foo");
}

TEST_CASE("registry: malformed references are usage errors", "[registry]") {
    const std::string long_name(256, 'a');
    const std::string long_tag(129, 't');
    for (const std::string& text : {std::string(),
                                    std::string("Foo"),
                                    std::string("acme/Ext"),
                                    std::string("acme/ext:"),
                                    std::string("acme/ext:.tag"),
                                    std::string("acme/ext:-tag"),
                                    "acme/ext:" + long_tag,
                                    std::string("acme//ext"),
                                    std::string("acme/ext/"),
                                    std::string("/acme/ext"),
                                    std::string("acme/-ext"),
                                    std::string("acme/ext-"),
                                    std::string("acme/e..xt"),
                                    std::string("acme/e___xt"),
                                    std::string("acme/ext@sha256:abc"),
                                    std::string("acme/ext@md5:" + zeros.substr(0, 32)),
                                    std::string("acme/ext@"),
                                    std::string("acme/e xt"),
                                    std::string("-host.io/ext"),
                                    std::string("host.io:/ext"),
                                    std::string("host.io:50a/ext"),
                                    std::string(":tag"),
                                    long_name}) {
        INFO(text);
        auto ref = Reference::parse(text);
        REQUIRE_FALSE(ref.has_value());
        CHECK(ref.error().code == ErrorCode::usage);
        CHECK_THAT(ref.error().message, Catch::Contains("invalid reference"));
    }
    auto upper = Reference::parse("acme/MyExt:1.0");
    REQUIRE_FALSE(upper);
    CHECK_THAT(upper.error().message, Catch::Contains("must be lowercase"));
}

TEST_CASE("registry: the 255-character limit applies to the normalised name", "[registry]") {
    // "docker.io/library/" is 18 characters: a bare name of 237 normalises to exactly 255.
    const std::string longest(237, 'a');
    auto accepted = Reference::parse(longest);
    REQUIRE(accepted);
    CHECK(accepted->repository().size() == 255);
    // Every accepted name parses again from its full form.
    CHECK(Reference::parse(accepted->to_string()));

    auto refused = Reference::parse(longest + "a");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::usage);
    CHECK_THAT(refused.error().message, Catch::Contains("longer than 255"));
}
