#pragma once
// Private to platform/: flush_paths where the OS has no cheaper way than one fsync per path.

#include <filesystem>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::platform::detail {

[[nodiscard]] Result<void> fsync_each(const std::vector<std::filesystem::path>& paths);

}  // namespace deskext::platform::detail
