#include <fcntl.h>
#include <unistd.h>

#include "../common/fsync_each.hpp"
#include "deskext/platform/fs.hpp"
#include "../posix/unique_fd.hpp"

namespace deskext::platform {

// Only the given paths are flushed, as dpkg does: first writeback of every file's data is
// started (sync_file_range, which does not wait), so that the disk works on all of them at once;
// then each path is fsynced, which mostly waits for writeback already under way (and the first
// one commits the journal transaction holding the others' metadata too). syncfs(2) would be one
// call, but it also writes back every other program's dirty data on the file system, which can
// take seconds on a busy machine.
Result<void> flush_paths(const std::vector<std::filesystem::path>& paths) {
    for (const auto& path : paths) {
        detail::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
        // Best effort: the fsync below reports what fails.
        if (fd.valid()) (void)::sync_file_range(fd.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
    }
    return detail::fsync_each(paths);
}

}  // namespace deskext::platform
