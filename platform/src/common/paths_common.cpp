// The extensions root, with its overrides (docs/architecture.md, "On-disk layout"): --root first,
// then $DESKEXT_ROOT, then the OS default from src/<os>/paths.cpp.

#include "../common/env.hpp"
#include "deskext/platform/paths.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::platform {

Result<std::filesystem::path> extensions_root(const std::filesystem::path& override_root) {
    if (!override_root.empty()) return override_root;
    if (auto from_env = detail::env_path("DESKEXT_ROOT")) return *std::move(from_env);
    return default_extensions_root();
}

Result<std::filesystem::path> cache_dir(const std::filesystem::path& override_dir) {
    if (!override_dir.empty()) return override_dir;
    if (auto from_env = detail::env_path("DESKEXT_CACHE_DIR")) return *std::move(from_env);
    return default_cache_dir();
}

Result<std::filesystem::path> docker_config_dir() {
    // https://docs.docker.com/reference/cli/docker/#environment-variables
    if (auto from_env = detail::env_path("DOCKER_CONFIG")) return *std::move(from_env);
    DESKEXT_TRY_ASSIGN(const std::filesystem::path home, home_dir());
    return home / ".docker";
}

std::vector<std::filesystem::path> docker_certs_dirs() {
    std::vector<std::filesystem::path> dirs;
    if (auto home = home_dir()) dirs.push_back(*home / ".docker" / "certs.d");
    if (auto from_env = detail::env_path("DESKEXT_CERTS_D")) {
        dirs.push_back(*std::move(from_env));
    } else if (auto system = detail::system_certs_dir()) {
        dirs.push_back(*std::move(system));
    }
    return dirs;
}

RegistriesConfLocations registries_conf_locations() {
    RegistriesConfLocations locations;
    if (auto system = detail::system_registries_conf()) locations.system = *std::move(system);
    if (auto config = detail::user_config_dir())
        locations.user = *config / "containers" / "registries.conf";
    return locations;
}

std::vector<std::filesystem::path> docker_daemon_json_files() {
    std::vector<std::filesystem::path> files;
    if (auto config = docker_config_dir()) files.push_back(*config / "daemon.json");
    if (auto system = detail::system_daemon_json()) files.push_back(*std::move(system));
    return files;
}

std::optional<std::string> env_value(const char* name) {
    auto value = detail::env_path(name);
    if (!value) return std::nullopt;
    return utf8_of(*value);
}

}  // namespace deskext::platform
