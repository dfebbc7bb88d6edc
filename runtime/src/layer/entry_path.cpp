#include "layer/entry_path.hpp"

#include <cctype>

namespace deskext::layer {

namespace {

std::unexpected<Error> refuse(std::string_view what, std::string_view name,
                              std::string_view why) {
    return fail(ErrorCode::invalid_extension,
                std::string(what) + " \"" + std::string(name) + "\": " + std::string(why));
}

bool has_drive_letter(std::string_view name) {
    return name.size() >= 2 && std::isalpha(static_cast<unsigned char>(name[0])) != 0 &&
           name[1] == ':';
}

}  // namespace

Result<std::string> normalise_entry_path(std::string_view name, std::size_t max_bytes,
                                         std::string_view what) {
    if (name.size() > max_bytes)
        return fail(ErrorCode::invalid_extension,
                    std::string(what) + " \"" + std::string(name.substr(0, 64)) +
                        "...\": name is longer than " + std::to_string(max_bytes) + " bytes");
    if (name.find('\0') != std::string_view::npos)
        return refuse(what, name, "name contains a NUL byte");
    if (name.find('\\') != std::string_view::npos)
        return refuse(what, name, "name contains a backslash");
    if (name.starts_with('/')) return refuse(what, name, "name is absolute");
    if (has_drive_letter(name)) return refuse(what, name, "name starts with a drive letter");
    // Layers written by `docker build` and `tar -C dir .` name everything "./x".
    std::string_view rest = name;
    if (rest.starts_with("./")) rest.remove_prefix(2);

    std::string out;
    out.reserve(rest.size());
    while (!rest.empty()) {
        const std::size_t slash = rest.find('/');
        const std::string_view component = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
        if (component.empty() || component == ".") continue;
        if (component == "..") return refuse(what, name, "name contains a \"..\" component");
        if (!out.empty()) out += '/';
        out += component;
    }
    return out;
}

bool is_normalised_path(std::string_view path) {
    if (path.empty()) return true;
    if (path.find('\0') != std::string_view::npos || path.find('\\') != std::string_view::npos ||
        has_drive_letter(path))
        return false;
    std::string_view rest = path;
    while (true) {
        const std::size_t slash = rest.find('/');
        const std::string_view component = rest.substr(0, slash);
        if (component.empty() || component == "." || component == "..") return false;
        if (slash == std::string_view::npos) return true;
        rest.remove_prefix(slash + 1);
    }
}

}  // namespace deskext::layer
