// renamex_np(2) with RENAME_SWAP (macOS 10.12+, APFS and HFS+) swaps two paths in one step.

#include <stdio.h>

#include <cerrno>
#include <system_error>

#include "../posix/atomic_exchange.hpp"
#include "deskext/platform/fs.hpp"

namespace deskext::platform::detail {

Result<bool> try_atomic_exchange(const std::filesystem::path& a, const std::filesystem::path& b) {
    if (::renamex_np(a.c_str(), b.c_str(), RENAME_SWAP) == 0) return true;
    const int err = errno;
    // ENOTSUP: the file system cannot swap (e.g. some network volumes); EINVAL: flag unknown.
    if (err == ENOTSUP || err == EINVAL || err == ENOSYS) return false;
    return std::unexpected(fs_error("exchange " + a.string() + " with", b,
                                    std::error_code(err, std::generic_category())));
}

}  // namespace deskext::platform::detail
