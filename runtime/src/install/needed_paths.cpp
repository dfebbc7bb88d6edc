#include "install/needed_paths.hpp"

#include "deskext/extension/metadata.hpp"

namespace deskext {

void NeededPaths::captured(std::string_view path, std::string_view data) {
    if (path != "metadata.json") return;
    // A second metadata.json later in the same layer replaces the first.
    std::set<std::string, std::less<>> roots;
    auto metadata = extension::parse_metadata(data, m_limits);
    if (metadata) {
        if (metadata->icon) roots.insert(*metadata->icon);
        if (metadata->dashboard_tab) roots.insert(metadata->dashboard_tab->root);
        if (metadata->vm && metadata->vm->composefile) roots.insert(*metadata->vm->composefile);
        if (auto binaries = extension::host_binaries_for(*metadata, m_host_os)) {
            for (const auto& binary : *binaries) roots.insert(binary.image_path);
        }
    }
    want(std::move(roots));
}

void NeededPaths::want(std::set<std::string, std::less<>> roots) {
    m_roots = std::move(roots);
    m_children.assign(1, {});
    m_is_root.assign(1, false);
    for (const std::string& root : m_roots) {
        std::size_t at = 0;
        for (std::string_view rest = root; !rest.empty();) {
            const std::size_t slash = rest.find('/');
            const std::string_view name = rest.substr(0, slash);
            rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
            auto it = m_children[at].find(name);
            if (it == m_children[at].end()) {
                it = m_children[at].emplace(std::string(name), m_children.size()).first;
                m_children.emplace_back();
                m_is_root.push_back(false);
            }
            at = it->second;
        }
        m_is_root[at] = true;
    }
}

bool NeededPaths::wanted(std::string_view path) const {
    if (m_roots.empty()) return false;
    if (m_is_root[0]) return true;  // the image root itself
    // The path itself or any directory above it.
    std::size_t at = 0;
    for (std::string_view rest = path; !rest.empty();) {
        const std::size_t slash = rest.find('/');
        auto it = m_children[at].find(rest.substr(0, slash));
        if (it == m_children[at].end()) return false;
        at = it->second;
        if (m_is_root[at]) return true;
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    return false;
}

}  // namespace deskext
