// Default locations on Linux (docs/architecture.md, "On-disk layout"): Docker Desktop for Linux
// keeps extensions in ~/.docker/desktop/extensions; the cache follows the XDG base directory spec
// (https://specifications.freedesktop.org/basedir-spec/latest/).

#include "deskext/platform/paths.hpp"
#include "../common/env.hpp"
#include "../posix/home_dir.hpp"

namespace deskext::platform {

Result<std::filesystem::path> default_extensions_root() {
    DESKEXT_TRY_ASSIGN(const std::filesystem::path home, detail::home_dir());
    return home / ".docker" / "desktop" / "extensions";
}

Result<std::filesystem::path> default_cache_dir() {
    // The spec says a relative $XDG_CACHE_HOME is invalid and must be ignored.
    if (auto xdg = detail::env_path("XDG_CACHE_HOME"); xdg && xdg->is_absolute()) {
        return *xdg / "deskext";
    }
    DESKEXT_TRY_ASSIGN(const std::filesystem::path home, detail::home_dir());
    return home / ".cache" / "deskext";
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
std::optional<std::filesystem::path> system_daemon_json() { return "/etc/docker/daemon.json"; }
}  // namespace detail

}  // namespace deskext::platform
