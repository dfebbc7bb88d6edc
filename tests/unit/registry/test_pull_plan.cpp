#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "registry/pull_plan.hpp"

using deskext::ErrorCode;
using deskext::registry::MirrorConfig;
using deskext::registry::MirrorUse;
using deskext::registry::Reference;
namespace registry = deskext::registry;

namespace {

registry::RegistriesConf conf_of(const std::string& text) {
    auto parsed = registry::parse_registries_conf(text, "/etc/containers/registries.conf");
    INFO((parsed ? std::string() : parsed.error().message));
    REQUIRE(parsed);
    return *parsed;
}

// Where each endpoint of the plan for `reference` is: "mirror:REF" or "origin:REF".
std::vector<std::string> plan_of(const MirrorConfig& config, const std::string& reference) {
    auto ref = Reference::parse(reference);
    REQUIRE(ref);
    auto plan = registry::plan_pull(*ref, config);
    INFO((plan ? std::string() : plan.error().message));
    REQUIRE(plan);
    std::vector<std::string> out;
    for (const auto& e : *plan)
        out.push_back((e.mirror ? "mirror:" : "origin:") + e.reference.to_string() +
                      (e.insecure ? " insecure" : ""));
    return out;
}

}  // namespace

TEST_CASE("pull plan: mirrors in order, then the origin, rewritten", "[registry]") {
    MirrorConfig config;
    config.conf = conf_of(
        "[[registry]]\nprefix = \"example.com/foo\"\nlocation = \"internal.example.net/bar\"\n"
        "[[registry.mirror]]\nlocation = \"m1.lan/cache\"\npull-from-mirror = \"digest-only\"\n"
        "[[registry.mirror]]\nlocation = \"localhost:5001\"\ninsecure = true\n"
        "[[registry.mirror]]\nlocation = \"m3.lan\"\npull-from-mirror = \"tag-only\"\n"
        "[[registry]]\nprefix = \"docker.io/acme\"\nlocation = \"docker.io/acme\"\n"
        "[[registry]]\nprefix = \"quay.io\"\nblocked = true\n");
    config.docker_hub_mirrors = {{"hub-mirror.lan", false, MirrorUse::all}};
    config.daemon_json = "/home/u/.docker/daemon.json";
    const std::string digest = "@sha256:" + std::string(64, 'a');

    CHECK(plan_of(config, "example.com/foo/ext:1.0") ==
          std::vector<std::string>{"mirror:localhost:5001/ext:1.0 insecure",
                                   "mirror:m3.lan/ext:1.0",
                                   "origin:internal.example.net/bar/ext:1.0"});
    CHECK(plan_of(config, "example.com/foo/ext" + digest) ==
          std::vector<std::string>{"mirror:m1.lan/cache/ext" + digest,
                                   "mirror:localhost:5001/ext" + digest + " insecure",
                                   "origin:internal.example.net/bar/ext" + digest});
    // daemon.json's mirrors serve Docker Hub references no rule matches.
    CHECK(plan_of(config, "alpine") ==
          std::vector<std::string>{"mirror:hub-mirror.lan/library/alpine:latest",
                                   "origin:docker.io/library/alpine:latest"});
    CHECK(plan_of(config, "acme/ext:2") == std::vector<std::string>{"origin:docker.io/acme/ext:2"});
    CHECK(plan_of(config, "ghcr.io/acme/ext:2") ==
          std::vector<std::string>{"origin:ghcr.io/acme/ext:2"});

    auto blocked = registry::plan_pull(*Reference::parse("quay.io/acme/ext:1"), config);
    REQUIRE_FALSE(blocked);
    CHECK(blocked.error().code == ErrorCode::policy);
    CHECK(blocked.error().message ==
          "pulling quay.io/acme/ext is blocked by the [[registry]] rule with prefix \"quay.io\" in "
          "/etc/containers/registries.conf:16 (blocked = true)");
}
