#pragma once
// Shows an untrusted string from metadata.json inside an error message: quoted, control
// characters escaped, cut short when long, so a hostile value cannot forge or flood the output.

#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace deskext::extension::detail {

inline constexpr std::size_t max_displayed_chars = 200;

// The text of `value` with bytes below 0x20 and 0x7f written as \xNN, cut at
// max_displayed_chars ("..." appended).
[[nodiscard]] inline std::string escaped(std::string_view value) {
    std::string out;
    const std::size_t shown =
        value.size() < max_displayed_chars ? value.size() : max_displayed_chars;
    out.reserve(shown + 8);
    for (std::size_t i = 0; i < shown; ++i) {
        const auto byte = static_cast<unsigned char>(value[i]);
        if (byte < 0x20 || byte == 0x7f || value[i] == '\\' || value[i] == '"') {
            if (value[i] == '\\' || value[i] == '"') {
                out += '\\';
                out += value[i];
            } else {
                out += fmt::format("\\x{:02x}", static_cast<unsigned>(byte));
            }
        } else {
            out += value[i];
        }
    }
    if (shown < value.size()) out += "...";
    return out;
}

// `escaped(value)` between double quotes.
[[nodiscard]] inline std::string quoted(std::string_view value) {
    return "\"" + escaped(value) + "\"";
}

}  // namespace deskext::extension::detail
