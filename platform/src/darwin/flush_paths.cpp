#include "../common/fsync_each.hpp"
#include "../posix/start_writeback.hpp"
#include "deskext/platform/fs.hpp"

namespace deskext::platform {

// No whole-file-system flush worth having here: each path is flushed on its own.
Result<void> flush_paths(const std::vector<std::filesystem::path>& paths) {
    return detail::fsync_each(paths);
}

void start_writeback(const std::filesystem::path& /*path*/) {}

void detail::start_writeback(int /*fd*/) {}

}  // namespace deskext::platform
