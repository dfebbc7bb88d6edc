#include "extension/host_names.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace deskext::extension {

namespace {

[[nodiscard]] std::string ascii_case(std::string_view text, int (*convert)(int)) {
    std::string out(text);
    std::ranges::transform(out, out.begin(), [convert](char c) {
        return static_cast<char>(convert(static_cast<unsigned char>(c)));
    });
    return out;
}

}  // namespace

std::string name_key(std::string_view name, std::string_view os) {
    return os == "linux" ? std::string(name) : ascii_case(name, ::tolower);
}

// https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file#naming-conventions
std::string windows_name_problem(std::string_view name) {
    for (const char c : name) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte < 0x20 || byte == 0x7f) return "contains a control character";
        // ':' also names an alternate data stream: "a.js:x" writes a stream of a.js.
        if (std::string_view("<>:\"|?*\\").find(c) != std::string_view::npos) {
            return fmt::format("contains '{}'", c);
        }
    }
    if (name.ends_with('.') || name.ends_with(' ')) return "ends with a dot or a space";
    // Device names are reserved with any extension, and Windows ignores trailing spaces
    // before it: "nul", "NUL.txt" and "Nul .exe" all open the device.
    std::string_view stem = name.substr(0, name.find('.'));
    while (stem.ends_with(' ')) stem.remove_suffix(1);
    const std::string upper = ascii_case(stem, ::toupper);
    static constexpr std::array<std::string_view, 4> devices{"CON", "PRN", "AUX", "NUL"};
    const bool numbered = upper.size() == 4 &&
                          (upper.starts_with("COM") || upper.starts_with("LPT")) &&
                          upper[3] >= '1' && upper[3] <= '9';
    if (numbered || std::ranges::find(devices, upper) != devices.end()) {
        return fmt::format("is the reserved device name {}", upper);
    }
    return {};
}

}  // namespace deskext::extension
