// The endpoints of one pull, from the rules of registries.conf and daemon.json.

#include "registry/pull_plan.hpp"

#include <fmt/format.h>

namespace deskext::registry {
namespace {

// `repository` with the reference's tag and digest, as a reference of its own.
Result<Reference> rewritten(const Reference& reference, const std::string& repository,
                            const std::string& where) {
    std::string text = repository;
    if (!reference.tag.empty()) text += ":" + reference.tag;
    if (reference.digest) text += "@" + reference.digest->str();
    auto parsed = Reference::parse(text);
    if (!parsed)
        return fail(ErrorCode::usage,
                    fmt::format("{}: {} is rewritten to {}, which is not a reference: {}", where,
                                reference.repository(), text, parsed.error().message));
    return parsed;
}

bool serves(const MirrorRule& mirror, const Reference& reference) {
    switch (mirror.use) {
        case MirrorUse::all:
            return true;
        case MirrorUse::digest_only:
            return reference.digest.has_value();
        case MirrorUse::tag_only:
            return !reference.digest.has_value();
    }
    return true;
}

}  // namespace

Result<std::vector<Endpoint>> plan_pull(const Reference& reference, const MirrorConfig& config) {
    const auto repository = reference.repository();
    const auto* rule = match_rule(config.conf, repository);
    if (rule != nullptr && rule->blocked)
        return fail(ErrorCode::policy,
                    fmt::format("pulling {} is blocked by the [[registry]] rule with prefix "
                                "\"{}\" in {} (blocked = true)",
                                repository, rule->prefix, rule->where));
    std::vector<Endpoint> endpoints;
    const auto add_mirror = [&](const MirrorRule& mirror, const RegistryRule* from,
                                const std::string& where) -> Result<void> {
        if (!serves(mirror, reference)) return {};
        const auto name = from ? rewrite(*from, repository, mirror.location)
                               : mirror.location + repository.substr(reference.domain.size());
        DESKEXT_TRY_ASSIGN(auto ref, rewritten(reference, name, where));
        endpoints.push_back({std::move(ref), mirror.insecure, true, mirror.location});
        return {};
    };
    if (rule != nullptr) {
        for (const auto& mirror : rule->mirrors) DESKEXT_TRY(add_mirror(mirror, rule, rule->where));
        const auto origin = rewrite(*rule, repository, rule->location);
        DESKEXT_TRY_ASSIGN(auto ref, rewritten(reference, origin, rule->where));
        endpoints.push_back({std::move(ref), rule->insecure, false, origin});
        return endpoints;
    }
    if (reference.domain == docker_hub_domain) {
        for (const auto& mirror : config.docker_hub_mirrors)
            DESKEXT_TRY(add_mirror(mirror, nullptr, config.daemon_json));
    }
    endpoints.push_back({reference, false, false, repository});
    return endpoints;
}

}  // namespace deskext::registry
