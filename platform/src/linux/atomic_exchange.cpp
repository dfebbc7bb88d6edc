// renameat2(2) with RENAME_EXCHANGE (Linux 3.15+), called through syscall(2) so that it does not
// depend on the C library having a wrapper.

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "../posix/atomic_exchange.hpp"
#include "deskext/platform/fs.hpp"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)  // include/uapi/linux/fs.h
#endif

namespace deskext::platform::detail {

Result<bool> try_atomic_exchange(const std::filesystem::path& a, const std::filesystem::path& b) {
#ifdef SYS_renameat2
    const long rc = ::syscall(SYS_renameat2, AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(),
                              static_cast<unsigned>(RENAME_EXCHANGE));
    if (rc == 0) return true;
    const int err = errno;
    // ENOSYS: kernel older than 3.15. EINVAL: the file system does not support the flag.
    if (err == ENOSYS || err == EINVAL) return false;
    return std::unexpected(fs_error("exchange " + a.string() + " with", b,
                                    std::error_code(err, std::generic_category())));
#else
    (void)a;
    (void)b;
    return false;
#endif
}

}  // namespace deskext::platform::detail
