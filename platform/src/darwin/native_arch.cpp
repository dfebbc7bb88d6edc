// Rosetta 2: an x86_64 process on Apple silicon gets "x86_64" from uname(2), but the host is
// arm64 and so is the extension Docker Desktop runs. sysctl.proc_translated is 1 in a translated
// process, 0 in a native one, and missing (ENOENT) on Intel Macs and before macOS 11.
// https://developer.apple.com/documentation/apple-silicon/about-the-rosetta-translation-environment

#include <sys/sysctl.h>
#include <sys/types.h>

#include <cstddef>

#include "../posix/native_arch.hpp"

namespace deskext::platform::detail {

std::optional<std::string> native_arch_override() {
    int translated = 0;
    std::size_t size = sizeof(translated);
    if (::sysctlbyname("sysctl.proc_translated", &translated, &size, nullptr, 0) != 0) {
        return std::nullopt;
    }
    if (translated == 1) return std::string("arm64");
    return std::nullopt;
}

}  // namespace deskext::platform::detail
