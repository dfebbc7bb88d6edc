#include "fsync_each.hpp"

#include "deskext/platform/fs.hpp"

namespace deskext::platform::detail {

Result<void> fsync_each(const std::vector<std::filesystem::path>& paths) {
    for (const auto& path : paths) DESKEXT_TRY(fsync_path(path));
    return {};
}

}  // namespace deskext::platform::detail
