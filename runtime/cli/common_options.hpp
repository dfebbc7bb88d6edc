#pragma once
// Options several commands share: --root, --platform.

#include <filesystem>

#include "args.hpp"
#include "deskext/platform/file_lock.hpp"
#include "deskext/platform/platform.hpp"

namespace deskext::cli {

// --root, else $DESKEXT_ROOT, else the OS default.
[[nodiscard]] Result<std::filesystem::path> root_option(const Args& args);

// --platform (the host to act for), else the detected host. Only darwin, windows and linux
// hosts run Docker Desktop.
[[nodiscard]] Result<platform::Platform> platform_option(const Args& args);

// --wait[=SECONDS] for a lock another deskext holds: absent → fail at once (busy, exit 10),
// bare → wait forever, SECONDS → wait that long.
[[nodiscard]] Result<platform::LockWait> wait_option(const Args& args);

}  // namespace deskext::cli
