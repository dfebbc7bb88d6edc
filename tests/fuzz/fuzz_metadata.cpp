// Fuzzes metadata.json: parsing, then the host-binary placement for every host OS. Every path the
// parser accepts must be a plain image path (no "..", not absolute), and every placement a plain
// name inside host/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deskext/extension/metadata.hpp"

namespace {

bool plain(std::string_view path) {
    if (path.starts_with('/') || path.find('\\') != std::string_view::npos) return false;
    while (!path.empty()) {
        const std::size_t slash = path.find('/');
        const std::string_view part = path.substr(0, slash);
        if (part.empty() || part == "." || part == "..") return false;
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deskext;
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    auto metadata = extension::parse_metadata(json);
    if (!metadata) return 0;
    if (metadata->icon && !plain(*metadata->icon)) std::abort();
    if (metadata->dashboard_tab && !metadata->dashboard_tab->root.empty() &&
        !plain(metadata->dashboard_tab->root))
        std::abort();
    for (std::string_view os : {"darwin", "windows", "linux"}) {
        auto placements = extension::host_binaries_for(*metadata, os);
        if (!placements) continue;
        for (const auto& p : *placements)
            if (!plain(p.dest) || p.dest.find('/') != std::string::npos || !plain(p.image_path))
                std::abort();
    }
    return 0;
}
