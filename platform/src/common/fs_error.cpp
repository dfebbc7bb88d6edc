#include <string>

#include "deskext/platform/fs.hpp"

namespace deskext::platform {

// "cannot create /x/y: No space left on device": the action, the path, and the OS's reason.
Error fs_error(std::string_view action, const std::filesystem::path& path, std::error_code ec) {
    // Through UTF-8, so a Windows path that the ANSI code page cannot hold still prints.
    const std::u8string utf8 = path.u8string();
    std::string message =
        "cannot " + std::string(action) + " " + std::string(utf8.begin(), utf8.end());
    if (ec) message += ": " + ec.message();
    return Error{ErrorCode::filesystem, std::move(message)};
}

}  // namespace deskext::platform
