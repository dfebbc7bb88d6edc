#pragma once
// Private to platform/: the one OS-specific step of host detection on POSIX systems.

#include <optional>
#include <string>

namespace deskext::platform::detail {

// The machine's native architecture when uname(2) does not tell it: an x86_64 process under
// Rosetta 2 on Apple silicon sees "x86_64", yet the extension it installs must be arm64.
// src/linux/ returns nullopt; src/darwin/ asks sysctl.proc_translated.
[[nodiscard]] std::optional<std::string> native_arch_override();

}  // namespace deskext::platform::detail
