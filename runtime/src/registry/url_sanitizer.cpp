#include "registry/url_sanitizer.hpp"

namespace deskext::registry {

std::string sanitize_url(std::string_view url) {
    std::string_view scheme;
    std::string_view rest = url;
    if (const auto sep = url.find("://"); sep != std::string_view::npos) {
        scheme = url.substr(0, sep + 3);
        rest = url.substr(sep + 3);
    }
    if (const auto end = rest.find_first_of("?#"); end != std::string_view::npos) {
        rest = rest.substr(0, end);
    }
    // User info ends at the last '@' of the authority (a password may hold '@' itself).
    const auto authority_end = rest.find('/');
    const auto authority = rest.substr(0, authority_end);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        rest.remove_prefix(at + 1);
    }
    return std::string(scheme) + std::string(rest);
}

}  // namespace deskext::registry
