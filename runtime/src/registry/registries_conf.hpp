#pragma once
// Registry mirrors and blocked registries as administrators already write them down:
// containers-registries.conf(5) version 2 ([[registry]] tables with their [[registry.mirror]]s,
// drop-ins as containers-registries.conf.d(5) merges them) and Docker's daemon.json
// `registry-mirrors` for Docker Hub (docs/registry.md, "Mirrors and blocked registries").

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::registry {

// pull-from-mirror: which pulls a mirror serves.
enum class MirrorUse { all, digest_only, tag_only };

struct MirrorRule {
    std::string location;   // host[:port][/namespace...]
    bool insecure = false;  // plain HTTP and unverified TLS allowed
    MirrorUse use = MirrorUse::all;
};

struct RegistryRule {
    std::string prefix;    // "docker.io", "example.com/team", "*.example.com"
    std::string location;  // where the prefix's namespace is; "" for a *. prefix: as written
    bool insecure = false;
    bool blocked = false;
    std::vector<MirrorRule> mirrors;
    std::string where;  // "FILE:LINE" of its [[registry]] header, for messages
};

struct RegistriesConf {
    std::vector<RegistryRule> rules;
};

// Whether `name` is host[:port][/namespace...] with a registry host by Docker's rule (a '.' or
// ':' in it, or localhost) and no tag or digest: what a prefix or location may be.
[[nodiscard]] bool is_registry_location(std::string_view name);

// The rules of one registries.conf file. ErrorCode::usage "FILE:LINE: …" when it is not the
// TOML subset (toml_subset.hpp), is the version 1 format, or holds an unknown key, a value of
// the wrong type, or a prefix or location that is not a registry name.
[[nodiscard]] Result<RegistriesConf> parse_registries_conf(std::string_view text,
                                                           std::string_view file_name);

// Adds the rules of a file loaded later; one with the same prefix replaces the earlier one.
void merge_rules(RegistriesConf& into, RegistriesConf later);

// The rule with the longest prefix that `repository` ("docker.io/library/alpine") starts with,
// followed by '/' or its end; nullptr when none does.
[[nodiscard]] const RegistryRule* match_rule(const RegistriesConf& conf,
                                             std::string_view repository);

// `repository` with the rule's matched prefix replaced by `location` (as written when the
// location is empty).
[[nodiscard]] std::string rewrite(const RegistryRule& rule, std::string_view repository,
                                  std::string_view location);

// daemon.json's "registry-mirrors" ("https://mirror.example:5000"; http:// makes it insecure).
// ErrorCode::usage naming the file when it is not JSON or a mirror is not a scheme and host.
[[nodiscard]] Result<std::vector<MirrorRule>> parse_daemon_mirrors(std::string_view text,
                                                                   std::string_view file_name);

// Everything deskext reads about mirrors and blocked registries.
struct MirrorConfig {
    RegistriesConf conf;
    std::vector<MirrorRule> docker_hub_mirrors;  // from daemon.json
    std::string daemon_json;                     // the file they came from
};

// Reads `registries_conf` (--registries-conf) or $DESKEXT_REGISTRIES_CONF alone when given,
// else the user's registries.conf when it exists (and its drop-ins), otherwise the system one
// and the drop-ins of both; then the first daemon.json that exists
// (platform::registries_conf_locations, platform::docker_daemon_json_files).
[[nodiscard]] Result<MirrorConfig> load_mirror_config(const std::filesystem::path& registries_conf);

}  // namespace deskext::registry
