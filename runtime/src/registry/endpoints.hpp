#pragma once
// The registry sessions of one pull, one per endpoint of its plan (pull_plan.hpp: the mirrors,
// then the origin), and which of them a request asks, in order: from the one that answered
// first on, never one that served content that did not match its digest.

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "registry/pull_plan.hpp"
#include "registry/registry_session.hpp"

namespace deskext::registry {

class Endpoints {
public:
    Endpoints(std::vector<Endpoint> endpoints, const SourceOptions& options);

    [[nodiscard]] const Endpoint& endpoint(std::size_t i) const { return m_endpoints[i]; }
    [[nodiscard]] RegistrySession& session(std::size_t i) { return *m_sessions[i]; }

    // The endpoints to ask, in order: those from the first that answered a request on (all
    // before any did), less the distrusted ones. Never empty: the origin is never distrusted.
    [[nodiscard]] std::vector<std::size_t> order() const;

    // Endpoint `i` answered a request: the requests after it start there.
    void answered(std::size_t i);
    // Endpoint `i`, a mirror, served bytes that did not match their digest: it is not asked
    // again in this run.
    void distrust(std::size_t i);
    [[nodiscard]] std::size_t distrusted() const { return m_distrusted; }

    // The locations of the mirrors that served anything, in the order they are configured.
    [[nodiscard]] std::vector<std::string> mirrors_used() const;

private:
    std::vector<Endpoint> m_endpoints;
    std::vector<std::unique_ptr<RegistrySession>> m_sessions;
    mutable std::mutex m_mutex;  // the download thread reports too
    std::size_t m_first = 0;
    bool m_any_answered = false;
    std::vector<bool> m_used;
    std::vector<bool> m_refused;
    std::atomic<std::size_t> m_distrusted = 0;
};

}  // namespace deskext::registry
