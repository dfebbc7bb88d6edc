#include "registry/endpoints.hpp"

namespace deskext::registry {
namespace {

// The options of one endpoint's session: insecure = true (or an http:// mirror) is what
// --insecure-registry says for that host.
SourceOptions options_for(const Endpoint& endpoint, SourceOptions options) {
    if (endpoint.insecure) options.insecure_registries.push_back(endpoint.reference.api_host());
    return options;
}

}  // namespace

Endpoints::Endpoints(std::vector<Endpoint> endpoints, const SourceOptions& options)
    : m_endpoints(std::move(endpoints)),
      m_used(m_endpoints.size(), false),
      m_refused(m_endpoints.size(), false) {
    for (const auto& endpoint : m_endpoints) {
        m_sessions.push_back(
            std::make_unique<RegistrySession>(endpoint.reference, options_for(endpoint, options)));
    }
}

std::vector<std::size_t> Endpoints::order() const {
    std::lock_guard lock(m_mutex);
    std::vector<std::size_t> out;
    for (std::size_t i = m_first; i < m_endpoints.size(); ++i) {
        if (!m_refused[i]) out.push_back(i);
    }
    return out;
}

void Endpoints::answered(std::size_t i) {
    std::lock_guard lock(m_mutex);
    if (!m_any_answered) m_first = i;
    m_any_answered = true;
    m_used[i] = true;
}

void Endpoints::distrust(std::size_t i) {
    std::lock_guard lock(m_mutex);
    if (!m_endpoints[i].mirror || m_refused[i]) return;
    m_refused[i] = true;
    ++m_distrusted;
}

std::vector<std::string> Endpoints::mirrors_used() const {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < m_endpoints.size(); ++i) {
        if (m_used[i] && m_endpoints[i].mirror) out.push_back(m_endpoints[i].location);
    }
    return out;
}

}  // namespace deskext::registry
