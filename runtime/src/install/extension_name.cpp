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

// Docker's rule (splitDockerDomain): a first component with a '.' or a ':', or "localhost", is
// a registry host. Podman's "localhost/" prefix for images it built is one too.
std::string_view without_host(std::string_view repo) {
    const auto slash = repo.find('/');
    if (slash == std::string_view::npos) return repo;
    const auto first = repo.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost")
        repo.remove_prefix(slash + 1);
    return repo;
}

// Docker Hub's official images live under "library/", which people leave out ("ubuntu" is
// docker.io/library/ubuntu); a mirror of Docker Hub holds them under the same path.
std::string_view without_library(std::string_view path) {
    constexpr std::string_view library = "library/";
    if (path.starts_with(library) && path.find('/', library.size()) == std::string_view::npos)
        path.remove_prefix(library.size());
    return path;
}

bool allowed(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == '_';
}

// A path as a directory name: '/' and ':' become '_'; nothing a directory may not hold.
Result<std::string> directory_for(std::string_view path, std::string_view image_name) {
    std::string out;
    out.reserve(path.size());
    for (char c : path) {
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

}  // namespace

Result<std::string> extension_identity(std::string_view image_name) {
    const auto path = without_library(without_host(repository_of(image_name)));
    DESKEXT_TRY(directory_for(path, image_name));
    return std::string(path);
}

Result<std::string> extension_dir_name(std::string_view image_name) {
    DESKEXT_TRY_ASSIGN(const auto identity, extension_identity(image_name));
    return directory_for(identity, image_name);
}

std::optional<std::string> former_extension_dir_name(std::string_view image_name) {
    std::string_view repo = repository_of(image_name);
    for (const std::string_view hub : {"docker.io/", "index.docker.io/"})
        if (repo.starts_with(hub)) repo.remove_prefix(hub.size());
    auto name = directory_for(repo, image_name);
    if (!name) return std::nullopt;
    return std::move(*name);
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
