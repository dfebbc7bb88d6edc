#pragma once
// Private to platform/: a failed Win32 call as an Error naming the action and the path
// (fs_error), the reason taken from GetLastError() unless given.

#include <windows.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include "deskext/platform/fs.hpp"

namespace deskext::platform::detail {

[[nodiscard]] inline std::unexpected<Error> os_fail(std::string_view action,
                                                    const std::filesystem::path& path, DWORD code) {
    return std::unexpected(
        fs_error(action, path, std::error_code(static_cast<int>(code), std::system_category())));
}

[[nodiscard]] inline std::unexpected<Error> os_fail(std::string_view action,
                                                    const std::filesystem::path& path) {
    return os_fail(action, path, ::GetLastError());
}

// A path or one of its directories does not exist.
[[nodiscard]] inline bool is_missing(DWORD code) {
    return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND;
}

}  // namespace deskext::platform::detail
