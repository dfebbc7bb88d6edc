#pragma once
// The proxy the user's system settings choose, where the OS has proxy settings of its own
// besides the environment: Windows' (Settings > Network > Proxy, Internet Options), which is what
// Docker Desktop users behind a corporate proxy have. On Linux and macOS the environment
// (HTTPS_PROXY and friends, which the runtime reads itself) is the system's setting.

#include <optional>
#include <string>
#include <string_view>

namespace deskext::platform {

// The proxy to reach `url` (http:// or https://) through, as a URL ("http://proxy.corp:8080"),
// or nullopt to connect directly. Windows: the current user's settings as WinHTTP reads them; a
// PAC script (its address, or one found by WPAD auto-detection) is evaluated by WinHTTP for the
// URL, and when there is none or it cannot be had, the static proxy and its bypass list decide.
// May take seconds (a PAC download, a WPAD lookup): callers remember the answer. Always nullopt
// elsewhere.
[[nodiscard]] std::optional<std::string> system_proxy_for(std::string_view url);

}  // namespace deskext::platform
