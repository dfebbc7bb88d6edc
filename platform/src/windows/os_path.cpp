// os_path on Windows: the extended-length form (\\?\…) of a path, so that Win32 file calls take
// paths longer than MAX_PATH (260 characters) without the process being long-path aware.

#include <windows.h>

#include <string>
#include <string_view>

#include "deskext/platform/fs.hpp"

namespace deskext::platform {
namespace {

constexpr std::wstring_view k_extended = LR"(\\?\)";
constexpr std::wstring_view k_extended_unc = LR"(\\?\UNC\)";
constexpr std::wstring_view k_device = LR"(\\.\)";
constexpr std::wstring_view k_nt = LR"(\??\)";

bool is_drive_absolute(std::wstring_view text) {
    return text.size() >= 3 && text[1] == L':' && (text[2] == L'\\' || text[2] == L'/') &&
           ((text[0] >= L'A' && text[0] <= L'Z') || (text[0] >= L'a' && text[0] <= L'z'));
}

}  // namespace

std::filesystem::path os_path(const std::filesystem::path& path) {
    const std::wstring& text = path.native();
    if (text.empty() || text.starts_with(k_extended) || text.starts_with(k_device) ||
        text.starts_with(k_nt)) {
        return path;
    }
    // The full path: absolute, '\' only, "." and ".." resolved. A path longer than MAX_PATH is
    // resolved too (GetFullPathNameW has no such limit).
    std::wstring full(text.size() + MAX_PATH, L'\0');
    DWORD length =
        ::GetFullPathNameW(text.c_str(), static_cast<DWORD>(full.size()), full.data(), nullptr);
    if (length >= full.size()) {
        full.resize(length + 1);
        length =
            ::GetFullPathNameW(text.c_str(), static_cast<DWORD>(full.size()), full.data(), nullptr);
    }
    if (length == 0 || length >= full.size()) return path;
    full.resize(length);
    if (full.starts_with(k_extended) || full.starts_with(k_device)) return full;
    if (full.starts_with(LR"(\\)")) return std::wstring(k_extended_unc) + full.substr(2);
    if (is_drive_absolute(full)) return std::wstring(k_extended) + full;
    return path;
}

}  // namespace deskext::platform
