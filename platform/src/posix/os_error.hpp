#pragma once
// Private to platform/: a failed POSIX call as an Error naming the action and the path
// (fs_error), the reason taken from errno unless given.

#include <cerrno>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "deskext/platform/fs.hpp"

namespace deskext::platform::detail {

[[nodiscard]] inline std::unexpected<Error> os_fail(std::string_view action,
                                                    const std::filesystem::path& path, int err) {
    return std::unexpected(fs_error(action, path, std::error_code(err, std::generic_category())));
}

[[nodiscard]] inline std::unexpected<Error> os_fail(std::string_view action,
                                                    const std::filesystem::path& path) {
    return os_fail(action, path, errno);
}

}  // namespace deskext::platform::detail
