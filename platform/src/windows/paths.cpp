// Default locations on Windows (ARCHITECTURE.md, "On-disk layout"): Docker Desktop keeps
// extensions under the roaming profile (%APPDATA%\Docker\extensions); the blob cache is
// machine-local data and goes under %LOCALAPPDATA%.

#include "deskext/platform/paths.hpp"
#include "../common/env.hpp"

namespace deskext::platform {

Result<std::filesystem::path> default_extensions_root() {
    auto appdata = detail::env_path("APPDATA");
    if (!appdata || appdata->is_relative()) {
        return fail(ErrorCode::usage,
                    "cannot find the user's application data directory (APPDATA is not set): "
                    "pass --root or set DESKEXT_ROOT");
    }
    return *appdata / "Docker" / "extensions";
}

Result<std::filesystem::path> default_cache_dir() {
    auto local = detail::env_path("LOCALAPPDATA");
    if (!local || local->is_relative()) {
        return fail(ErrorCode::usage,
                    "cannot find the user's local application data directory (LOCALAPPDATA is "
                    "not set)");
    }
    return *local / "deskext" / "cache";
}

Result<std::filesystem::path> home_dir() {
    auto profile = detail::env_path("USERPROFILE");
    if (!profile || profile->is_relative()) {
        return fail(ErrorCode::usage, "cannot find the home directory (USERPROFILE is not set)");
    }
    return *std::move(profile);
}

namespace detail {
std::optional<std::filesystem::path> system_certs_dir() {
    auto data = env_path("ProgramData");
    if (!data || data->is_relative()) return std::nullopt;
    return *data / "docker" / "certs.d";
}
}  // namespace detail

}  // namespace deskext::platform
