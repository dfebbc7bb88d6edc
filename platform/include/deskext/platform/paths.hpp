#pragma once
// Per-OS default locations, as Docker Desktop uses them (docs/architecture.md, "On-disk layout").

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::platform {

// The extensions root: --root, else $DESKEXT_ROOT, else the OS default, where Docker Desktop
// keeps its extensions (~/.docker/desktop/extensions,
// ~/Library/Containers/com.docker.docker/Data/extensions, %APPDATA%\Docker\extensions). Usage
// error when the home directory cannot be found. On Windows %APPDATA%, %LOCALAPPDATA%,
// %USERPROFILE% and %ProgramData% come from the environment, else from the shell's known folders
// (Roaming and Local AppData, the profile, ProgramData).
[[nodiscard]] Result<std::filesystem::path> extensions_root(
    const std::filesystem::path& override_root);

// The OS default extensions root, ignoring overrides.
[[nodiscard]] Result<std::filesystem::path> default_extensions_root();

// The blob cache: $XDG_CACHE_HOME/deskext (~/.cache/deskext), ~/Library/Caches/deskext,
// %LOCALAPPDATA%\deskext\cache.
[[nodiscard]] Result<std::filesystem::path> default_cache_dir();

// The blob cache in use: `override_dir` when not empty, else $DESKEXT_CACHE_DIR, else
// default_cache_dir().
[[nodiscard]] Result<std::filesystem::path> cache_dir(const std::filesystem::path& override_dir);

// The user's home directory ($HOME; %USERPROFILE% on Windows). Usage error when unknown.
[[nodiscard]] Result<std::filesystem::path> home_dir();

// Docker's client configuration directory: $DOCKER_CONFIG, else ~/.docker.
[[nodiscard]] Result<std::filesystem::path> docker_config_dir();

// Where per-registry TLS material lives, in the order it is searched (docs/registry.md):
// ~/.docker/certs.d, then $DESKEXT_CERTS_D when set, else the system one (/etc/docker/certs.d;
// %ProgramData%\docker\certs.d on Windows). Directories that cannot be named are left out.
[[nodiscard]] std::vector<std::filesystem::path> docker_certs_dirs();

// Where containers-registries.conf(5) is looked for (docs/registry.md, "Mirrors and blocked
// registries"): the system file (/etc/containers/registries.conf; on Windows
// %ProgramData%\containers\registries.conf) and the user's
// ($XDG_CONFIG_HOME/containers/registries.conf, else ~/.config/containers/registries.conf; on
// Windows %APPDATA%\containers\registries.conf). Empty when it cannot be named.
struct RegistriesConfLocations {
    std::filesystem::path system;
    std::filesystem::path user;
};
[[nodiscard]] RegistriesConfLocations registries_conf_locations();

// The daemon.json files Docker's `registry-mirrors` may be in, in the order they are tried (the
// first that exists is read): $DOCKER_CONFIG/daemon.json, else ~/.docker/daemon.json (what
// Docker Desktop's Settings > Docker Engine writes), then Docker Engine's system file
// (/etc/docker/daemon.json on Linux, %ProgramData%\docker\config\daemon.json on Windows; none
// on macOS).
[[nodiscard]] std::vector<std::filesystem::path> docker_daemon_json_files();

// The value of an environment variable, as UTF-8; nullopt when unset or empty.
[[nodiscard]] std::optional<std::string> env_value(const char* name);

}  // namespace deskext::platform
