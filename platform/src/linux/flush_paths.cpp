#include <fcntl.h>
#include <unistd.h>

#include "../common/fsync_each.hpp"
#include "deskext/platform/fs.hpp"
#include "../posix/unique_fd.hpp"

namespace deskext::platform {

// syncfs(2) writes back every dirty page and inode of the file system holding the first path:
// one flush for a staging directory of hundreds of files, which fsync would flush one by one.
// Where it cannot be used, each path is flushed on its own.
Result<void> flush_paths(const std::vector<std::filesystem::path>& paths) {
    if (paths.empty()) return {};
    detail::UniqueFd fd(::open(paths.front().c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.valid() && ::syncfs(fd.get()) == 0) return {};
    return detail::fsync_each(paths);
}

}  // namespace deskext::platform
