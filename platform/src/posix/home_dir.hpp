#pragma once
// Private to platform/: the home directory that the POSIX default paths hang off.

#include <filesystem>

#include "deskext/error.hpp"

namespace deskext::platform::detail {

// $HOME. Deliberately not the passwd entry: tests and sandboxes point HOME elsewhere, and a
// missing HOME is better reported (usage error: pass --root or set DESKEXT_ROOT) than guessed.
[[nodiscard]] Result<std::filesystem::path> home_dir();

}  // namespace deskext::platform::detail
