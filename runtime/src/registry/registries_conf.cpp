// containers-registries.conf(5) version 2: the [[registry]] tables, checked as strictly as the
// TOML they are written in, and the prefix matching containers/image does
// (https://github.com/containers/image/blob/main/pkg/sysregistriesv2/system_registries_v2.go).

#include "registry/registries_conf.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "deskext/ascii.hpp"
#include "deskext/registry/reference.hpp"
#include "registry/toml_subset.hpp"

namespace deskext::registry {
namespace {

// Top-level keys and tables of registries.conf that concern short names, credentials or layer
// stores: deskext references are always qualified, so they are read past.
constexpr std::string_view ignored_keys[] = {"unqualified-search-registries", "short-name-mode",
                                             "credential-helpers",
                                             "additional-layer-store-auth-helper"};

std::unexpected<Error> conf_error(std::string_view file, int line, std::string_view what) {
    return fail(ErrorCode::usage, fmt::format("{}:{}: {}", file, line, what));
}

}  // namespace

bool is_registry_location(std::string_view name) {
    const auto host = name.substr(0, name.find('/'));
    if (host.find_first_of(".:") == std::string_view::npos && host != "localhost") return false;
    const auto rest = name.substr(host.size());
    if (rest.find_first_of(":@") != std::string_view::npos) return false;  // no tag or digest
    auto parsed = Reference::parse(std::string(name) + "/x");
    return parsed && ascii_lower(parsed->domain) == ascii_lower(host);
}

namespace {

bool is_wildcard(std::string_view prefix) { return prefix.starts_with("*."); }

bool is_wildcard_prefix(std::string_view prefix) {
    if (!is_wildcard(prefix)) return false;
    const auto domain = prefix.substr(2);
    return domain.find_first_of("/:*") == std::string_view::npos &&
           is_registry_location(std::string(domain));
}

struct Context {
    std::string_view file;
    int line;
};

Result<std::string> string_of(const toml::Value& value, std::string_view key, Context at) {
    if (const auto* text = std::get_if<std::string>(&value.data)) return *text;
    return conf_error(at.file, value.line, fmt::format("{} must be a string", key));
}

Result<bool> bool_of(const toml::Value& value, std::string_view key, Context at) {
    if (const auto* flag = std::get_if<bool>(&value.data)) return *flag;
    return conf_error(at.file, value.line, fmt::format("{} must be true or false", key));
}

Result<MirrorUse> mirror_use(const toml::Value& value, Context at) {
    DESKEXT_TRY_ASSIGN(const auto text, string_of(value, "pull-from-mirror", at));
    if (text.empty() || text == "all") return MirrorUse::all;
    if (text == "digest-only") return MirrorUse::digest_only;
    if (text == "tag-only") return MirrorUse::tag_only;
    return conf_error(
        at.file, value.line,
        fmt::format("pull-from-mirror \"{}\": expected all, digest-only or tag-only", text));
}

Result<MirrorRule> parse_mirror(const toml::Table& table, bool digest_only, Context at) {
    MirrorRule mirror;
    at.line = table.line;
    if (!table.tables.empty() || !table.arrays.empty())
        return conf_error(at.file, at.line, "[[registry.mirror]] holds no tables");
    for (const auto& [key, value] : table.values) {
        if (key == "location") {
            DESKEXT_TRY_ASSIGN(mirror.location, string_of(value, key, at));
        } else if (key == "insecure") {
            DESKEXT_TRY_ASSIGN(mirror.insecure, bool_of(value, key, at));
        } else if (key == "pull-from-mirror") {
            if (digest_only)
                return conf_error(at.file, value.line,
                                  "pull-from-mirror cannot be set when the registry has "
                                  "mirror-by-digest-only");
            DESKEXT_TRY_ASSIGN(mirror.use, mirror_use(value, at));
        } else {
            return conf_error(at.file, value.line,
                              fmt::format("unknown key \"{}\" in [[registry.mirror]] (known: "
                                          "location, insecure, pull-from-mirror)",
                                          key));
        }
    }
    if (!is_registry_location(mirror.location))
        return conf_error(
            at.file, at.line,
            fmt::format("mirror location \"{}\" is not host[:port][/namespace]", mirror.location));
    if (digest_only) mirror.use = MirrorUse::digest_only;
    return mirror;
}

// The scalar keys of a [[registry]] table.
Result<void> registry_key(RegistryRule& rule, bool& digest_only, const std::string& key,
                          const toml::Value& value, Context at) {
    if (key == "prefix") {
        DESKEXT_TRY_ASSIGN(rule.prefix, string_of(value, key, at));
    } else if (key == "location") {
        DESKEXT_TRY_ASSIGN(rule.location, string_of(value, key, at));
    } else if (key == "insecure") {
        DESKEXT_TRY_ASSIGN(rule.insecure, bool_of(value, key, at));
    } else if (key == "blocked") {
        DESKEXT_TRY_ASSIGN(rule.blocked, bool_of(value, key, at));
    } else if (key == "mirror-by-digest-only") {
        DESKEXT_TRY_ASSIGN(digest_only, bool_of(value, key, at));
    } else {
        return conf_error(at.file, value.line,
                          fmt::format("unknown key \"{}\" in [[registry]] (known: prefix, "
                                      "location, insecure, blocked, mirror-by-digest-only, "
                                      "[[registry.mirror]])",
                                      key));
    }
    return {};
}

Result<void> check_names(const RegistryRule& rule, Context at) {
    if (rule.prefix.empty() && rule.location.empty())
        return conf_error(at.file, at.line, "a [[registry]] needs a location or a prefix");
    if (is_wildcard(rule.prefix)) {
        if (!is_wildcard_prefix(rule.prefix))
            return conf_error(
                at.file, at.line,
                fmt::format("prefix \"{}\": a wildcard is *.DOMAIN, nothing after", rule.prefix));
        if (!rule.location.empty())
            return conf_error(
                at.file, at.line,
                fmt::format("prefix \"{}\" is a wildcard: it takes no location", rule.prefix));
        return {};
    }
    for (const auto& name : {rule.prefix, rule.location}) {
        if (!name.empty() && !is_registry_location(name))
            return conf_error(at.file, at.line,
                              fmt::format("\"{}\" is not host[:port][/namespace] (a registry "
                                          "host has a '.' or ':' or is localhost; no tag or "
                                          "digest)",
                                          name));
    }
    return {};
}

Result<RegistryRule> parse_registry(const toml::Table& table, Context at) {
    RegistryRule rule;
    at.line = table.line;
    rule.where = fmt::format("{}:{}", at.file, at.line);
    bool digest_only = false;
    for (const auto& [key, value] : table.values) {
        DESKEXT_TRY(registry_key(rule, digest_only, key, value, at));
    }
    if (!table.tables.empty())
        return conf_error(at.file, table.tables.begin()->second.line,
                          fmt::format("unknown table [registry.{}]", table.tables.begin()->first));
    for (const auto& [name, items] : table.arrays) {
        if (name != "mirror")
            return conf_error(at.file, items.front().line,
                              fmt::format("unknown table [[registry.{}]]", name));
        for (const auto& item : items) {
            DESKEXT_TRY_ASSIGN(auto mirror, parse_mirror(item, digest_only, at));
            rule.mirrors.push_back(std::move(mirror));
        }
    }
    DESKEXT_TRY(check_names(rule, at));
    if (rule.prefix.empty()) rule.prefix = rule.location;
    rule.prefix = ascii_lower(rule.prefix);
    return rule;
}

Result<void> check_top_level(const toml::Table& root, Context at) {
    for (const auto& [key, value] : root.values) {
        if (std::find(std::begin(ignored_keys), std::end(ignored_keys), std::string_view(key)) ==
            std::end(ignored_keys))
            return conf_error(at.file, value.line, fmt::format("unknown key \"{}\"", key));
    }
    for (const auto& [name, table] : root.tables) {
        if (name == "registries")
            return conf_error(at.file, table.line,
                              "the version 1 format ([registries.search], [registries.block], "
                              "...) is not read; write [[registry]] tables (version 2)");
        if (name != "aliases")
            return conf_error(at.file, table.line, fmt::format("unknown table [{}]", name));
    }
    for (const auto& [name, items] : root.arrays) {
        if (name != "registry")
            return conf_error(at.file, items.front().line,
                              fmt::format("unknown table [[{}]]", name));
    }
    return {};
}

}  // namespace

Result<RegistriesConf> parse_registries_conf(std::string_view text, std::string_view file_name) {
    DESKEXT_TRY_ASSIGN(const auto root, toml::parse(text, file_name));
    const Context at{file_name, 0};
    DESKEXT_TRY(check_top_level(root, at));
    RegistriesConf conf;
    if (const auto it = root.arrays.find("registry"); it != root.arrays.end()) {
        for (const auto& table : it->second) {
            DESKEXT_TRY_ASSIGN(auto rule, parse_registry(table, at));
            for (const auto& earlier : conf.rules) {
                if (earlier.prefix == rule.prefix)
                    return conf_error(file_name, table.line,
                                      fmt::format("prefix \"{}\" is already the rule of {}",
                                                  rule.prefix, earlier.where));
            }
            conf.rules.push_back(std::move(rule));
        }
    }
    return conf;
}

void merge_rules(RegistriesConf& into, RegistriesConf later) {
    for (auto& rule : later.rules) {
        auto same = std::find_if(into.rules.begin(), into.rules.end(),
                                 [&](const RegistryRule& r) { return r.prefix == rule.prefix; });
        if (same != into.rules.end()) {
            *same = std::move(rule);
        } else {
            into.rules.push_back(std::move(rule));
        }
    }
}

namespace {

// How many characters of `repository` the rule's prefix matches (the host for a wildcard),
// 0 when it does not match.
std::size_t matched_length(const RegistryRule& rule, std::string_view repository) {
    const auto name = ascii_lower(repository);
    const auto domain_end = std::min(name.find('/'), name.size());
    if (is_wildcard(rule.prefix)) {
        const auto domain = std::string_view(name).substr(0, domain_end);
        const auto host = domain.substr(0, domain.find(':'));
        const auto suffix = std::string_view(rule.prefix).substr(1);  // ".example.com"
        return host.size() > suffix.size() && host.ends_with(suffix) ? domain_end : 0;
    }
    if (!name.starts_with(rule.prefix)) return 0;
    if (name.size() != rule.prefix.size() && name[rule.prefix.size()] != '/') return 0;
    return rule.prefix.size();
}

}  // namespace

const RegistryRule* match_rule(const RegistriesConf& conf, std::string_view repository) {
    const RegistryRule* best = nullptr;
    for (const auto& rule : conf.rules) {
        if (matched_length(rule, repository) == 0) continue;
        if (best == nullptr || rule.prefix.size() > best->prefix.size()) best = &rule;
    }
    return best;
}

std::string rewrite(const RegistryRule& rule, std::string_view repository,
                    std::string_view location) {
    if (location.empty()) return std::string(repository);
    return std::string(location) + std::string(repository.substr(matched_length(rule, repository)));
}

}  // namespace deskext::registry
