#pragma once
// Private to platform/: reading the environment, implemented once per OS family
// (getenv on POSIX; GetEnvironmentVariableW on Windows, so non-ASCII paths survive).

#include <filesystem>
#include <optional>

namespace deskext::platform::detail {

// The value of an environment variable as a path; nullopt when it is unset or empty.
[[nodiscard]] std::optional<std::filesystem::path> env_path(const char* name);

// The system-wide certs.d of Docker on this OS (per-OS paths.cpp); nullopt when unknown.
[[nodiscard]] std::optional<std::filesystem::path> system_certs_dir();

// Where registries.conf and daemon.json are on this OS (per-OS paths.cpp): the system-wide
// registries.conf, the user's configuration directory it is looked for under, and the
// system-wide daemon.json of Docker Engine. nullopt when unknown or there is none.
[[nodiscard]] std::optional<std::filesystem::path> system_registries_conf();
[[nodiscard]] std::optional<std::filesystem::path> user_config_dir();
[[nodiscard]] std::optional<std::filesystem::path> system_daemon_json();

}  // namespace deskext::platform::detail
