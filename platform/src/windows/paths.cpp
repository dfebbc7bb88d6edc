// Default locations on Windows (docs/architecture.md, "On-disk layout"): Docker Desktop keeps
// extensions under the roaming profile (%APPDATA%\Docker\extensions); the blob cache is
// machine-local data and goes under %LOCALAPPDATA%.

#include <windows.h>
// windows.h first: shlobj.h needs its types.
#include <knownfolders.h>
#include <shlobj.h>

#include "../common/env.hpp"
#include "deskext/platform/paths.hpp"

namespace deskext::platform {
namespace {

// The folder `variable` names, as Docker Desktop and every other program read it (tests and
// sandboxes point it elsewhere); when it is unset or relative (a process started with a stripped
// environment), the known folder it stands for, as the shell reports it. nullopt when neither
// says.
std::optional<std::filesystem::path> named_folder(const char* variable, REFKNOWNFOLDERID folder) {
    if (auto from_env = detail::env_path(variable); from_env && from_env->is_absolute())
        return from_env;
    PWSTR path = nullptr;
    std::optional<std::filesystem::path> known;
    if (SUCCEEDED(::SHGetKnownFolderPath(folder, KF_FLAG_DEFAULT, nullptr, &path)))
        known = std::filesystem::path(path);
    ::CoTaskMemFree(path);  // also when the call failed, as its documentation asks
    return known;
}

}  // namespace

Result<std::filesystem::path> default_extensions_root() {
    auto appdata = named_folder("APPDATA", FOLDERID_RoamingAppData);
    if (!appdata) {
        return fail(ErrorCode::usage,
                    "cannot find the user's application data directory (APPDATA is not set): "
                    "pass --root or set DESKEXT_ROOT");
    }
    return *appdata / "Docker" / "extensions";
}

Result<std::filesystem::path> default_cache_dir() {
    auto local = named_folder("LOCALAPPDATA", FOLDERID_LocalAppData);
    if (!local) {
        return fail(ErrorCode::usage,
                    "cannot find the user's local application data directory (LOCALAPPDATA is "
                    "not set): set DESKEXT_CACHE_DIR");
    }
    return *local / "deskext" / "cache";
}

Result<std::filesystem::path> home_dir() {
    auto profile = named_folder("USERPROFILE", FOLDERID_Profile);
    if (!profile) {
        return fail(ErrorCode::usage, "cannot find the home directory (USERPROFILE is not set)");
    }
    return *std::move(profile);
}

namespace detail {
std::optional<std::filesystem::path> system_certs_dir() {
    auto data = named_folder("ProgramData", FOLDERID_ProgramData);
    if (!data) return std::nullopt;
    return *data / "docker" / "certs.d";
}
// containers-registries.conf(5) names no Windows locations: the same places under
// %ProgramData% and %APPDATA% as Docker's own files.
std::optional<std::filesystem::path> system_registries_conf() {
    auto data = named_folder("ProgramData", FOLDERID_ProgramData);
    if (!data) return std::nullopt;
    return *data / "containers" / "registries.conf";
}
std::optional<std::filesystem::path> user_config_dir() {
    return named_folder("APPDATA", FOLDERID_RoamingAppData);
}
// Docker Engine on Windows Server; Docker Desktop uses %USERPROFILE%\.docker\daemon.json.
std::optional<std::filesystem::path> system_daemon_json() {
    auto data = named_folder("ProgramData", FOLDERID_ProgramData);
    if (!data) return std::nullopt;
    return *data / "docker" / "config" / "daemon.json";
}
}  // namespace detail

}  // namespace deskext::platform
