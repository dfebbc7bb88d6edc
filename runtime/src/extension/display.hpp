#pragma once
// Shows an untrusted string from metadata.json or an image inside an error message: quoted,
// control characters and bytes that are not UTF-8 escaped, cut short when long, so a hostile
// value cannot forge or flood the output, nor make it something other than UTF-8.

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace deskext::extension::detail {

inline constexpr std::size_t max_displayed_chars = 200;

// The length of the well-formed UTF-8 sequence at text[i] (1 to 4 bytes), or 0 when the bytes
// there are not one (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
[[nodiscard]] inline std::size_t utf8_sequence(std::string_view text, std::size_t i) {
    const auto at = [&](std::size_t k) {
        return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0u;
    };
    const auto cont = [&](std::size_t k) { return (at(k) & 0xc0u) == 0x80u; };
    const unsigned lead = at(0);
    if (lead < 0x80) return 1;
    if (lead >= 0xc2 && lead <= 0xdf) return cont(1) ? 2 : 0;
    if (lead >= 0xe0 && lead <= 0xef) {
        const unsigned low = lead == 0xe0 ? 0xa0 : 0x80;
        const unsigned high = lead == 0xed ? 0x9f : 0xbf;
        return at(1) >= low && at(1) <= high && cont(2) ? 3 : 0;
    }
    if (lead >= 0xf0 && lead <= 0xf4) {
        const unsigned low = lead == 0xf0 ? 0x90 : 0x80;
        const unsigned high = lead == 0xf4 ? 0x8f : 0xbf;
        return at(1) >= low && at(1) <= high && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
}

[[nodiscard]] inline bool is_valid_utf8(std::string_view text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto length = utf8_sequence(text, i);
        if (length == 0) return false;
        i += length;
    }
    return true;
}

// The text of `value` with bytes below 0x20, 0x7f and bytes that are not UTF-8 written as
// \xNN, cut at max_displayed_chars bytes ("..." appended), never inside a character.
[[nodiscard]] inline std::string escaped(std::string_view value) {
    std::string out;
    out.reserve(std::min(value.size(), max_displayed_chars) + 8);
    std::size_t i = 0;
    while (i < value.size() && i < max_displayed_chars) {
        const auto byte = static_cast<unsigned char>(value[i]);
        const auto length = utf8_sequence(value, i);
        if (value[i] == '\\' || value[i] == '"') {
            out += '\\';
            out += value[i];
        } else if (length == 0 || byte < 0x20 || byte == 0x7f) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned>(byte));
        } else {
            out.append(value.substr(i, length));
            i += length;
            continue;
        }
        ++i;
    }
    if (i < value.size()) out += "...";
    return out;
}

// `escaped(value)` between double quotes.
[[nodiscard]] inline std::string quoted(std::string_view value) {
    return "\"" + escaped(value) + "\"";
}

}  // namespace deskext::extension::detail
