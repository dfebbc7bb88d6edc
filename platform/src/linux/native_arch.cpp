#include "../posix/native_arch.hpp"

namespace deskext::platform::detail {

// On Linux uname(2) reports the kernel's machine, which is what the extension must match.
std::optional<std::string> native_arch_override() { return std::nullopt; }

}  // namespace deskext::platform::detail
