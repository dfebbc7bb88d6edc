#include "deskext/install/extension_name.hpp"

#include <fmt/format.h>

namespace deskext {
namespace {

// The repository part: no digest, no tag (a ':' after the last '/').
std::string_view repository_of(std::string_view name) {
    if (auto at = name.find('@'); at != std::string_view::npos) name = name.substr(0, at);
    auto slash = name.rfind('/');
    auto colon = name.rfind(':');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
        name = name.substr(0, colon);
    return name;
}

bool allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

}  // namespace

Result<std::string> extension_dir_name(std::string_view image_name) {
    std::string_view repo = repository_of(image_name);
    if (repo.starts_with("docker.io/")) repo.remove_prefix(std::string_view("docker.io/").size());
    if (repo.starts_with("index.docker.io/"))
        repo.remove_prefix(std::string_view("index.docker.io/").size());
    std::string out;
    out.reserve(repo.size());
    for (char c : repo) {
        if (c == '/' || c == ':') {
            out += '_';
        } else if (allowed(c)) {
            out += c;
        } else {
            return fail(ErrorCode::usage,
                        fmt::format("cannot name an extension directory after \"{}\": character "
                                    "'{}' is not allowed; pass --name",
                                    image_name, c));
        }
    }
    if (out.empty() || out == "." || out == ".." || out.front() == '.' || out.size() > 200)
        return fail(ErrorCode::usage,
                    fmt::format("cannot name an extension directory after \"{}\"; pass --name",
                                image_name));
    return out;
}

std::string image_tag(std::string_view image_name) {
    if (auto at = image_name.find('@'); at != std::string_view::npos)
        image_name = image_name.substr(0, at);
    auto slash = image_name.rfind('/');
    auto colon = image_name.rfind(':');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash))
        return std::string(image_name.substr(colon + 1));
    return {};
}

}  // namespace deskext
