#include <string>

#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::platform {

// "cannot create /x/y: No space left on device": the action, the path, and the OS's reason.
Error fs_error(std::string_view action, const std::filesystem::path& path, std::error_code ec) {
    std::string message = "cannot " + std::string(action) + " " + utf8_of(path);
    if (ec) message += ": " + ec.message();
    return Error{ErrorCode::filesystem, std::move(message)};
}

}  // namespace deskext::platform
