#include "../common/relative_path.hpp"

#include <string>

namespace deskext::platform::detail {
namespace {

std::unexpected<Error> unsafe(std::string_view relative, std::string_view why) {
    std::string shown;
    for (char c : relative) shown += c == '\0' ? std::string("\\0") : std::string(1, c);
    return fail(ErrorCode::invalid_extension, "unsafe path \"" + shown + "\": " + std::string(why));
}

}  // namespace

Result<std::vector<std::string_view>> split_relative(std::string_view relative) {
    if (relative.empty()) return unsafe(relative, "the path is empty");
    if (relative.find('\0') != std::string_view::npos) {
        return unsafe(relative, "the path contains a NUL byte");
    }
    if (relative.front() == '/') return unsafe(relative, "the path is absolute");
    if (relative.find('\\') != std::string_view::npos) {
        return unsafe(relative, "the path contains a backslash");
    }

    std::vector<std::string_view> components;
    std::size_t start = 0;
    while (true) {
        std::size_t slash = relative.find('/', start);
        std::string_view part = relative.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (part.empty()) return unsafe(relative, "the path has an empty component");
        if (part == "..") return unsafe(relative, "the path has a \"..\" component");
        if (part != ".") components.push_back(part);
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    if (components.empty()) return unsafe(relative, "the path names the root itself");
    return components;
}

}  // namespace deskext::platform::detail
