#include "install/needed_paths.hpp"

#include "deskext/extension/metadata.hpp"

namespace deskext {

void NeededPaths::captured(std::string_view path, std::string_view data) {
    if (path != "metadata.json") return;
    // A second metadata.json later in the same layer replaces the first.
    m_roots.clear();
    auto metadata = extension::parse_metadata(data, m_limits);
    if (!metadata) return;
    if (metadata->icon) m_roots.insert(*metadata->icon);
    if (metadata->dashboard_tab) m_roots.insert(metadata->dashboard_tab->root);
    if (metadata->vm && metadata->vm->composefile) m_roots.insert(*metadata->vm->composefile);
    if (auto binaries = extension::host_binaries_for(*metadata, m_host_os)) {
        for (const auto& binary : *binaries) m_roots.insert(binary.image_path);
    }
}

bool NeededPaths::wanted(std::string_view path) const {
    if (m_roots.empty()) return false;
    if (m_roots.contains(std::string_view{})) return true;  // the image root itself
    // The path itself or any directory above it.
    for (std::size_t end = path.size(); end != std::string_view::npos && end > 0;
         end = path.rfind('/', end - 1)) {
        if (m_roots.contains(path.substr(0, end))) return true;
    }
    return false;
}

}  // namespace deskext
