#pragma once
// ASCII case folding for protocol text: header names, schemes, hosts, platform names. Never the
// C library's locale-dependent tolower: protocol text folds the same way in every locale.

#include <string>
#include <string_view>

namespace deskext {

[[nodiscard]] inline std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace deskext
