#include <cerrno>
#include <cstdlib>
#include <string>
#include <string_view>

#include "deskext/platform/test_seams.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::platform {

std::optional<std::error_code> injected_fault(const std::filesystem::path& path) {
    const char* spec = std::getenv("DESKEXT_FAULT_INJECT");
    if (spec == nullptr || *spec == '\0') return std::nullopt;
    std::string_view text(spec);
    std::string_view substring;
    if (auto colon = text.find(':'); colon != std::string_view::npos) {
        substring = text.substr(colon + 1);
        text = text.substr(0, colon);
    }
    int err = 0;
    if (text == "ENOSPC")
        err = ENOSPC;
    else if (text == "EACCES")
        err = EACCES;
    else if (text == "EROFS")
        err = EROFS;
    else
        return std::nullopt;
    if (!substring.empty() && utf8_of(path).find(substring) == std::string::npos)
        return std::nullopt;
    return std::error_code(err, std::generic_category());
}

}  // namespace deskext::platform
