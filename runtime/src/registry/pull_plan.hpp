#pragma once
// Which hosts a registry pull asks, in order: the mirrors registries.conf or daemon.json give for
// the reference, then the origin (docs/registry.md, "Mirrors and blocked registries").

#include <string>
#include <vector>

#include "deskext/registry/reference.hpp"
#include "registry/registries_conf.hpp"

namespace deskext::registry {

struct Endpoint {
    Reference reference;    // what this host is asked for: the prefix rewritten to its location
    bool insecure = false;  // insecure = true, or an http:// mirror of daemon.json
    bool mirror = false;
    std::string location;  // the mirror's location as configured; for the origin, its repository
};

// The mirrors that serve this kind of pull (by digest or by tag: pull-from-mirror), in their
// order, then the origin: the location of the rule whose prefix matches best, else the
// reference itself. daemon.json's mirrors apply to Docker Hub references that no rule matches.
// ErrorCode::policy when that rule has blocked = true (the message names its file, line and
// prefix); ErrorCode::usage when a location makes no valid reference of it.
[[nodiscard]] Result<std::vector<Endpoint>> plan_pull(const Reference& reference,
                                                      const MirrorConfig& config);

}  // namespace deskext::registry
