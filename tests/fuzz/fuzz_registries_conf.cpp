// Fuzzes the reading of the administrator's registry configuration: registries.conf (the TOML
// subset and the [[registry]] rules on top of it, then the prefix matching and the pull plan of
// a few references) and daemon.json's registry-mirrors. Files an administrator wrote, but read
// by every pull, so no input may crash or hang them.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/pull_plan.hpp"
#include "registry/registries_conf.hpp"
#include "registry/toml_subset.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deskext::registry;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto table = toml::parse(text, "fuzz.conf");
    auto conf = parse_registries_conf(text, "fuzz.conf");
    if (conf && !table) std::abort();  // the rules are read from the TOML, never past it
    MirrorConfig config;
    if (conf) config.conf = *conf;
    if (auto mirrors = parse_daemon_mirrors(text, "daemon.json"))
        config.docker_hub_mirrors = *mirrors;
    for (const auto* name : {"alpine", "docker.io/acme/ext:1",
                             "a.corp.example:5000/x/y@sha256:"
                             "0000000000000000000000000000000000000000000000000000000000000000",
                             "localhost:5000/team/ext"}) {
        auto reference = Reference::parse(name);
        if (!reference) std::abort();
        auto plan = plan_pull(*reference, config);
        // The origin is always last, and only mirrors come before it.
        if (plan && (plan->empty() || plan->back().mirror)) std::abort();
    }
    return 0;
}
