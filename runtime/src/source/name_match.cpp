#include "source/name_match.hpp"

#include "deskext/install/extension_name.hpp"

namespace deskext::source {
namespace {

bool is_tag_char(char c, bool first) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || c == '_' || (!first && (c == '.' || c == '-'));
}

}  // namespace

std::string short_image_name(std::string_view name) {
    for (const std::string_view prefix : {"docker.io/", "index.docker.io/"}) {
        if (name.starts_with(prefix)) {
            name.remove_prefix(prefix.size());
            break;
        }
    }
    if (name.starts_with("library/")) name.remove_prefix(std::string_view("library/").size());
    return std::string(name);
}

std::string with_default_tag(std::string_view name) {
    if (name.find('@') != std::string_view::npos) return std::string(name);
    const auto colon = name.rfind(':');
    const auto slash = name.rfind('/');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        return std::string(name);
    }
    return std::string(name) + ":latest";
}

bool same_image_name(std::string_view a, std::string_view b) {
    return short_image_name(with_default_tag(a)) == short_image_name(with_default_tag(b));
}

bool same_extension_tag(std::string_view a, std::string_view b) {
    if (a.find('@') != std::string_view::npos || b.find('@') != std::string_view::npos)
        return false;
    const auto identity_a = extension_identity(a);
    const auto identity_b = extension_identity(b);
    return identity_a && identity_b && *identity_a == *identity_b &&
           image_tag(with_default_tag(a)) == image_tag(with_default_tag(b));
}

bool looks_like_tag(std::string_view text) {
    if (text.empty() || text.size() > 128) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (!is_tag_char(text[i], i == 0)) return false;
    }
    return true;
}

}  // namespace deskext::source
