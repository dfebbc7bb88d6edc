#include <catch2/catch.hpp>

#include <string>

#include "registry/registries_conf.hpp"

using deskext::ErrorCode;
using deskext::registry::MirrorUse;
namespace registry = deskext::registry;

namespace {

registry::RegistriesConf conf_of(const std::string& text) {
    auto parsed = registry::parse_registries_conf(text, "/etc/containers/registries.conf");
    INFO((parsed ? std::string() : parsed.error().message));
    REQUIRE(parsed);
    return *parsed;
}

std::string refusal(const std::string& text) {
    auto parsed = registry::parse_registries_conf(text, "r.conf");
    if (parsed) return "";
    CHECK(parsed.error().code == ErrorCode::usage);
    return parsed.error().message;
}

}  // namespace

TEST_CASE("registries.conf: [[registry]] tables with mirrors", "[registry]") {
    const auto conf = conf_of(
        "unqualified-search-registries = [\"docker.io\"]\n"
        "short-name-mode = \"enforcing\"\n"
        "[[registry]]\n"
        "prefix = \"example.com/foo\"\n"
        "location = \"internal.example.net/bar\"\n"
        "insecure = true\n"
        "[[registry.mirror]]\n"
        "location = \"mirror.example.net:5000/cache\"\n"
        "pull-from-mirror = \"digest-only\"\n"
        "[[registry.mirror]]\n"
        "location = \"localhost:5001\"\n"
        "insecure = true\n"
        "[[registry]]\n"
        "location = \"quay.io\"\n"
        "blocked = true\n"
        "[aliases]\n"
        "\"x\" = \"docker.io/library/x\"\n");
    REQUIRE(conf.rules.size() == 2);
    const auto& first = conf.rules[0];
    CHECK(first.prefix == "example.com/foo");
    CHECK(first.location == "internal.example.net/bar");
    CHECK(first.insecure);
    CHECK_FALSE(first.blocked);
    CHECK(first.where == "/etc/containers/registries.conf:3");
    REQUIRE(first.mirrors.size() == 2);
    CHECK(first.mirrors[0].location == "mirror.example.net:5000/cache");
    CHECK(first.mirrors[0].use == MirrorUse::digest_only);
    CHECK_FALSE(first.mirrors[0].insecure);
    CHECK(first.mirrors[1].insecure);
    CHECK(first.mirrors[1].use == MirrorUse::all);
    // Without a prefix, the location is the prefix.
    CHECK(conf.rules[1].prefix == "quay.io");
    CHECK(conf.rules[1].blocked);
}

TEST_CASE("registries.conf: mistakes are named with the file and line", "[registry]") {
    CHECK(refusal("[[registry]]\nlocation = \"a.io\"\nblockd = true\n")
              .starts_with("r.conf:3: unknown key \"blockd\" in [[registry]]"));
    CHECK(refusal("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nlocaton = \"b.io\"\n")
              .starts_with("r.conf:4: unknown key \"locaton\" in [[registry.mirror]]"));
    CHECK(refusal("[[registry]]\nlocation = \"a.io\"\ninsecure = \"yes\"\n") ==
          "r.conf:3: insecure must be true or false");
    CHECK(refusal("[[registry]]\nlocation = true\n") == "r.conf:2: location must be a string");
    CHECK(refusal("[[registry]]\ninsecure = true\n") ==
          "r.conf:1: a [[registry]] needs a location or a prefix");
    CHECK(refusal("\n[[registry]]\nlocation = \"mirror\"\n")
              .starts_with("r.conf:2: \"mirror\" is not host[:port][/namespace]"));
    CHECK(refusal("[[registry]]\nprefix = \"a.io/x:tag\"\nlocation = \"b.io\"\n")
              .starts_with("r.conf:1: \"a.io/x:tag\" is not host[:port][/namespace]"));
    CHECK(refusal("[[registry]]\nprefix = \"*.a.io/x\"\n") ==
          "r.conf:1: prefix \"*.a.io/x\": a wildcard is *.DOMAIN, nothing after");
    CHECK(refusal("[[registry]]\nprefix = \"*.a.io\"\nlocation = \"b.io\"\n") ==
          "r.conf:1: prefix \"*.a.io\" is a wildcard: it takes no location");
    CHECK(refusal("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\ninsecure = true\n")
              .starts_with("r.conf:3: mirror location \"\" is not host[:port][/namespace]"));
    CHECK(refusal("[[registry]]\nlocation = \"a.io\"\n[[registry.mirror]]\nlocation = \"b.io\"\n"
                  "pull-from-mirror = \"sometimes\"\n")
              .starts_with("r.conf:5: pull-from-mirror \"sometimes\""));
    CHECK(refusal("[[registry]]\nlocation = \"a.io\"\nmirror-by-digest-only = true\n"
                  "[[registry.mirror]]\nlocation = \"b.io\"\npull-from-mirror = \"all\"\n")
              .starts_with("r.conf:6: pull-from-mirror cannot be set"));
    CHECK(refusal("[[registry]]\nlocation = \"a.io\"\n[[registry]]\nprefix = \"a.io\"\n"
                  "location = \"b.io\"\n") ==
          "r.conf:3: prefix \"a.io\" is already the rule of r.conf:1");
    CHECK(refusal("[registries.search]\nregistries = [\"docker.io\"]\n")
              .starts_with("r.conf:1: the version 1 format"));
    CHECK(refusal("colour = \"blue\"\n") == "r.conf:1: unknown key \"colour\"");
    CHECK(refusal("[colours]\n") == "r.conf:1: unknown table [colours]");
    CHECK(refusal("[[registry]]\nlocation = \"a.io\"\n[registry.extra]\n") ==
          "r.conf:3: unknown table [registry.extra]");
    // The TOML's own errors come through unchanged.
    CHECK(refusal("[[registry]]\nlocation = \"a.io\n") == "r.conf:2: a string is not closed");
}

TEST_CASE("registries.conf: the longest prefix wins, *. matches subdomains", "[registry]") {
    const auto conf = conf_of(
        "[[registry]]\nprefix = \"docker.io\"\nlocation = \"hub.mirror.lan\"\n"
        "[[registry]]\nprefix = \"docker.io/acme\"\nlocation = \"acme.mirror.lan/hub\"\n"
        "[[registry]]\nprefix = \"*.corp.example\"\nblocked = true\n"
        "[[registry]]\nprefix = \"Registry.Corp.Example:5000/team\"\n"
        "location = \"localhost:5000/team\"\n");
    const auto prefix_for = [&](std::string_view repository) -> std::string {
        const auto* rule = registry::match_rule(conf, repository);
        return rule ? rule->prefix : "";
    };
    CHECK(prefix_for("docker.io/library/alpine") == "docker.io");
    CHECK(prefix_for("docker.io/acme/ext") == "docker.io/acme");
    CHECK(prefix_for("docker.io/acme") == "docker.io/acme");
    // A prefix matches whole path components only.
    CHECK(prefix_for("docker.io/acmeco/ext") == "docker.io");
    CHECK(prefix_for("a.corp.example/x") == "*.corp.example");
    CHECK(prefix_for("a.b.corp.example:5000/x") == "*.corp.example");
    CHECK(prefix_for("corp.example/x").empty());
    CHECK(prefix_for("notcorp.example/x").empty());
    // Longer than the wildcard, and hosts compare without case.
    CHECK(prefix_for("registry.corp.example:5000/team/ext") == "registry.corp.example:5000/team");
    CHECK(prefix_for("ghcr.io/acme/ext").empty());

    const auto* acme = registry::match_rule(conf, "docker.io/acme/ext");
    REQUIRE(acme);
    CHECK(registry::rewrite(*acme, "docker.io/acme/ext", acme->location) ==
          "acme.mirror.lan/hub/ext");
    const auto* wildcard = registry::match_rule(conf, "a.corp.example:5000/x/y");
    REQUIRE(wildcard);
    CHECK(registry::rewrite(*wildcard, "a.corp.example:5000/x/y", "") == "a.corp.example:5000/x/y");
    CHECK(registry::rewrite(*wildcard, "a.corp.example:5000/x/y", "m.lan") == "m.lan/x/y");
}

TEST_CASE("registries.conf: a drop-in's rule replaces the one with the same prefix", "[registry]") {
    auto conf = conf_of("[[registry]]\nlocation = \"a.io\"\n[[registry]]\nlocation = \"b.io\"\n");
    registry::merge_rules(conf, conf_of("[[registry]]\nlocation = \"b.io\"\nblocked = true\n"
                                        "[[registry]]\nlocation = \"c.io\"\n"));
    REQUIRE(conf.rules.size() == 3);
    CHECK_FALSE(conf.rules[0].blocked);
    CHECK(conf.rules[1].prefix == "b.io");
    CHECK(conf.rules[1].blocked);
    CHECK(conf.rules[2].prefix == "c.io");
}

TEST_CASE("daemon.json: registry-mirrors as Docker reads them", "[registry]") {
    auto mirrors = registry::parse_daemon_mirrors(
        R"({"debug": true, "registry-mirrors": ["https://Mirror.LAN:5000/", "http://10.0.0.1"]})",
        "daemon.json");
    REQUIRE(mirrors);
    REQUIRE(mirrors->size() == 2);
    CHECK((*mirrors)[0].location == "mirror.lan:5000");
    CHECK_FALSE((*mirrors)[0].insecure);
    CHECK((*mirrors)[1].location == "10.0.0.1");
    CHECK((*mirrors)[1].insecure);
    CHECK(registry::parse_daemon_mirrors("{}", "daemon.json")->empty());
    for (const auto* bad : {R"({"registry-mirrors": ["mirror.lan"]})",
                            R"({"registry-mirrors": ["https://mirror.lan/path"]})",
                            R"({"registry-mirrors": "https://mirror.lan"})",
                            R"({"registry-mirrors": [5]})", "{", "[]"}) {
        INFO(bad);
        auto refused = registry::parse_daemon_mirrors(bad, "daemon.json");
        REQUIRE_FALSE(refused);
        CHECK(refused.error().code == ErrorCode::usage);
        CHECK(refused.error().message.starts_with("daemon.json"));
    }
}
