// UTF-8 strings and paths on Windows, through the Win32 conversions: std::filesystem::path's own
// char conversions use the ANSI code page.

#include <windows.h>
// windows.h first: shellapi.h needs its types.
#include <shellapi.h>

#include <climits>

#include "../windows/wide.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::platform {

namespace detail {

std::wstring to_wide(std::string_view utf8) {
    // Names and arguments, never near INT_MAX bytes; the Win32 calls count in int.
    if (utf8.empty() || utf8.size() > INT_MAX) return {};
    const int size = static_cast<int>(utf8.size());
    const int needed = ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), size, nullptr, 0);
    if (needed <= 0) return {};
    std::wstring wide(static_cast<std::size_t>(needed), L'\0');
    ::MultiByteToWideChar(CP_UTF8, 0, utf8.data(), size, wide.data(), needed);
    return wide;
}

std::string to_utf8(std::wstring_view wide) {
    if (wide.empty() || wide.size() > INT_MAX) return {};
    const int size = static_cast<int>(wide.size());
    const int needed =
        ::WideCharToMultiByte(CP_UTF8, 0, wide.data(), size, nullptr, 0, nullptr, nullptr);
    if (needed <= 0) return {};
    std::string utf8(static_cast<std::size_t>(needed), '\0');
    ::WideCharToMultiByte(CP_UTF8, 0, wide.data(), size, utf8.data(), needed, nullptr, nullptr);
    return utf8;
}

}  // namespace detail

std::filesystem::path path_from_utf8(std::string_view text) {
    return std::filesystem::path(detail::to_wide(text));
}

std::string utf8_of(const std::filesystem::path& path) { return detail::to_utf8(path.native()); }

std::string generic_utf8_of(const std::filesystem::path& path) {
    return detail::to_utf8(path.generic_wstring());
}

std::vector<std::string> utf8_arguments(int argc, char** argv) {
    int count = 0;
    LPWSTR* wide = ::CommandLineToArgvW(::GetCommandLineW(), &count);
    // Only when out of memory: the ANSI arguments are better than none.
    if (wide == nullptr) return std::vector<std::string>(argv, argv + argc);
    std::vector<std::string> arguments;
    arguments.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) arguments.push_back(detail::to_utf8(wide[i]));
    ::LocalFree(wide);
    return arguments;
}

}  // namespace deskext::platform
