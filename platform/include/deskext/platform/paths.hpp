#pragma once
// Per-OS default locations, as Docker Desktop uses them (ARCHITECTURE.md, "On-disk layout").

#include <filesystem>

#include "deskext/error.hpp"

namespace deskext::platform {

// The extensions root: --root, else $DESKEXT_ROOT, else the OS default
// (~/.docker/desktop/extensions, ~/Library/Containers/com.docker.docker/Data/extensions,
// %APPDATA%\Docker\extensions). Usage error when the home directory cannot be found.
[[nodiscard]] Result<std::filesystem::path> extensions_root(
    const std::filesystem::path& override_root);

// The OS default extensions root, ignoring overrides.
[[nodiscard]] Result<std::filesystem::path> default_extensions_root();

// The blob cache: $XDG_CACHE_HOME/deskext (~/.cache/deskext), ~/Library/Caches/deskext,
// %LOCALAPPDATA%\deskext\cache.
[[nodiscard]] Result<std::filesystem::path> default_cache_dir();

}  // namespace deskext::platform
