// Environment on Windows, read as UTF-16 so that a user profile with non-ASCII characters
// survives (getenv would go through the ANSI code page).

#include <windows.h>

#include <string>

#include "../common/env.hpp"

namespace deskext::platform::detail {

std::optional<std::filesystem::path> env_path(const char* name) {
    std::wstring wide_name;
    for (const char* c = name; *c != '\0'; ++c) wide_name += static_cast<wchar_t>(*c);  // ASCII

    std::wstring value(MAX_PATH, L'\0');
    while (true) {
        const DWORD needed = ::GetEnvironmentVariableW(wide_name.c_str(), value.data(),
                                                       static_cast<DWORD>(value.size()));
        if (needed == 0) return std::nullopt;  // unset (ERROR_ENVVAR_NOT_FOUND) or empty
        if (needed < value.size()) {
            value.resize(needed);
            return std::filesystem::path(value);
        }
        value.resize(needed);  // `needed` counts the terminating NUL when the buffer is too small
    }
}

}  // namespace deskext::platform::detail
