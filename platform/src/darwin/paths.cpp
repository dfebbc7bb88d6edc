// Default locations on macOS (docs/architecture.md, "On-disk layout"): Docker Desktop keeps
// extensions inside its sandbox container; caches go to ~/Library/Caches as Apple's File System
// Programming Guide asks.

#include "deskext/platform/paths.hpp"
#include "../common/env.hpp"
#include "../posix/home_dir.hpp"

namespace deskext::platform {

Result<std::filesystem::path> default_extensions_root() {
    DESKEXT_TRY_ASSIGN(const std::filesystem::path home, detail::home_dir());
    return home / "Library" / "Containers" / "com.docker.docker" / "Data" / "extensions";
}

Result<std::filesystem::path> default_cache_dir() {
    DESKEXT_TRY_ASSIGN(const std::filesystem::path home, detail::home_dir());
    return home / "Library" / "Caches" / "deskext";
}

Result<std::filesystem::path> home_dir() { return detail::home_dir(); }

namespace detail {
std::optional<std::filesystem::path> system_certs_dir() { return "/etc/docker/certs.d"; }
}  // namespace detail

}  // namespace deskext::platform
