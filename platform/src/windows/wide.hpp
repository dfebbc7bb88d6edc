#pragma once
// Private to platform/: UTF-8 ↔ UTF-16, the conversions every Win32 "W" call needs.
// Invalid input becomes U+FFFD instead of failing (MultiByteToWideChar and WideCharToMultiByte
// without MB_ERR_INVALID_CHARS / WC_ERR_INVALID_CHARS).

#include <string>
#include <string_view>

namespace deskext::platform::detail {

[[nodiscard]] std::wstring to_wide(std::string_view utf8);
[[nodiscard]] std::string to_utf8(std::wstring_view wide);

}  // namespace deskext::platform::detail
