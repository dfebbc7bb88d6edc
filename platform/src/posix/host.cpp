// Host detection on POSIX: uname(2) names the kernel (sysname) and the machine; the OS-specific
// correction (Rosetta) comes from native_arch_override() in src/<os>/.

#include <sys/utsname.h>

#include "../posix/native_arch.hpp"
#include "deskext/platform/platform.hpp"

namespace deskext::platform {

Platform detect_host() {
    struct utsname names {};
    if (::uname(&names) != 0) {
        // uname(2) only fails on a bad pointer; this is a broken invariant, not an input error.
        return make_platform("unknown", "unknown");
    }
    if (auto native = detail::native_arch_override()) return make_platform(names.sysname, *native);
    return make_platform(names.sysname, names.machine);
}

}  // namespace deskext::platform
