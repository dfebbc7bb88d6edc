// Image paths named by metadata.json ("icon", "ui.dashboard-tab.root", "vm.composefile",
// "host.binaries[..].<os>[..].path"): Docker Desktop resolves them against the image root, with
// or without a leading '/'. They are normalised once here so that every later step compares
// and joins plain relative paths, and anything that could point outside the image (or that a
// Windows or macOS host would read differently) is refused before a byte is written.

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/extension/metadata.hpp"
#include "deskext/limits.hpp"
#include "extension/display.hpp"

namespace deskext::extension {

namespace {

[[nodiscard]] std::unexpected<Error> refuse(std::string_view what, std::string_view path,
                                            std::string_view why) {
    return fail(ErrorCode::invalid_extension,
                fmt::format("{}: {} {}", what, detail::quoted(path), why));
}

[[nodiscard]] bool is_drive_letter(std::string_view component) {
    return component.size() >= 2 && component[1] == ':' &&
           std::isalpha(static_cast<unsigned char>(component[0])) != 0;
}

}  // namespace

Result<std::string> normalize_image_path(std::string_view path, std::string_view what) {
    if (path.empty())
        return fail(ErrorCode::invalid_extension, fmt::format("{}: empty path", what));
    if (path.size() > Limits{}.max_path_bytes) {
        return refuse(what, path, fmt::format("is longer than {} bytes", Limits{}.max_path_bytes));
    }
    for (const char c : path) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte == 0) return refuse(what, path, "contains a NUL byte");
        if (byte < 0x20 || byte == 0x7f) return refuse(what, path, "contains a control character");
        // A backslash is a separator on Windows and an ordinary byte in the image: the two
        // readings name different files, so neither is taken.
        if (c == '\\') return refuse(what, path, "contains a backslash");
    }

    std::vector<std::string_view> components;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        const std::string_view component = path.substr(start, end - start);
        if (component == "..") return refuse(what, path, "contains \"..\"");
        if (!component.empty() && component != ".") {
            if (components.empty() && is_drive_letter(component)) {
                return refuse(what, path, "starts with a drive letter");
            }
            components.push_back(component);
        }
        start = end + 1;
    }
    if (components.empty()) return refuse(what, path, "names the image root, not a file");

    std::string normalised;
    normalised.reserve(path.size());
    for (const std::string_view component : components) {
        if (!normalised.empty()) normalised += '/';
        normalised += component;
    }
    return normalised;
}

}  // namespace deskext::extension
