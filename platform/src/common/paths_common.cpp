// The extensions root, with its overrides (ARCHITECTURE.md, "On-disk layout"): --root first,
// then $DESKEXT_ROOT, then the OS default from src/<os>/paths.cpp.

#include "../common/env.hpp"
#include "deskext/platform/paths.hpp"

namespace deskext::platform {

Result<std::filesystem::path> extensions_root(const std::filesystem::path& override_root) {
    if (!override_root.empty()) return override_root;
    if (auto from_env = detail::env_path("DESKEXT_ROOT")) return *std::move(from_env);
    return default_extensions_root();
}

}  // namespace deskext::platform
