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
std::optional<std::filesystem::path> system_registries_conf() {
    return "/etc/containers/registries.conf";
}
// As containers/image: $XDG_CONFIG_HOME when absolute, else ~/.config.
std::optional<std::filesystem::path> user_config_dir() {
    if (auto xdg = env_path("XDG_CONFIG_HOME"); xdg && xdg->is_absolute()) return xdg;
    auto home = detail::home_dir();
    if (!home) return std::nullopt;
    return *home / ".config";
}
// Docker Desktop is the only engine on macOS: ~/.docker/daemon.json alone.
std::optional<std::filesystem::path> system_daemon_json() { return std::nullopt; }
}  // namespace detail

}  // namespace deskext::platform
