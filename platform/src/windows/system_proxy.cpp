// The current user's proxy settings through WinHTTP. libcurl cannot evaluate a PAC script, but
// WinHTTP can: with a PAC address or auto-detection (WPAD) configured, WinHttpGetProxyForUrl
// answers for the URL; without one, or when it fails (no PAC found, a script that does not
// load), the static proxy and its bypass list decide (parsed in src/common/proxy_settings.cpp).
// https://learn.microsoft.com/en-us/windows/win32/winhttp/winhttp-autoproxy-support

#include <windows.h>
// windows.h first: winhttp.h needs its types.
#include <winhttp.h>

#include "../common/proxy_settings.hpp"
#include "../windows/wide.hpp"
#include "deskext/platform/system_proxy.hpp"

namespace deskext::platform {
namespace {

// WinHTTP hands its strings over to be freed with GlobalFree.
class GlobalString {
public:
    explicit GlobalString(LPWSTR text) : m_text(text) {}
    ~GlobalString() {
        if (m_text != nullptr) ::GlobalFree(m_text);
    }
    GlobalString(const GlobalString&) = delete;
    GlobalString& operator=(const GlobalString&) = delete;

    [[nodiscard]] std::string utf8() const {
        return m_text == nullptr ? std::string() : detail::to_utf8(m_text);
    }
    [[nodiscard]] bool empty() const { return m_text == nullptr || *m_text == L'\0'; }

private:
    LPWSTR m_text;
};

// One WinHTTP session for the process, never closed: WinHTTP keeps in it what a PAC download or
// an auto-detection found, for the next URL. Null when WinHTTP cannot open one.
HINTERNET session() {
    static const HINTERNET handle =
        ::WinHttpOpen(L"deskext", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                      WINHTTP_NO_PROXY_BYPASS, 0);
    return handle;
}

// What the PAC script (given, or found by WPAD) says for `url`: the proxy, or nullopt for a
// direct connection. The outer nullopt when there is no answer, and the static settings decide.
std::optional<std::optional<std::string>> automatic_proxy(std::string_view url, bool auto_detect,
                                                          const WCHAR* config_url) {
    if (session() == nullptr) return std::nullopt;
    WINHTTP_AUTOPROXY_OPTIONS options{};
    if (config_url != nullptr && *config_url != L'\0') {
        options.dwFlags |= WINHTTP_AUTOPROXY_CONFIG_URL;
        options.lpszAutoConfigUrl = config_url;
    }
    if (auto_detect) {
        options.dwFlags |= WINHTTP_AUTOPROXY_AUTO_DETECT;
        options.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
    }
    // A PAC address that asks for credentials gets the user's own, as browsers do.
    options.fAutoLogonIfChallenged = TRUE;
    WINHTTP_PROXY_INFO info{};
    const std::wstring wide_url = detail::to_wide(url);
    if (!::WinHttpGetProxyForUrl(session(), wide_url.c_str(), &options, &info)) return std::nullopt;
    const GlobalString proxy(info.lpszProxy);
    const GlobalString bypass(info.lpszProxyBypass);  // freed, not used: the script decided
    if (info.dwAccessType != WINHTTP_ACCESS_TYPE_NAMED_PROXY || proxy.empty())
        return std::optional<std::string>{};
    // "PROXY a:1; PROXY b:2" comes as "a:1;b:2", in the order to try them: the first is taken.
    const auto proxies = detail::parse_proxy_list(proxy.utf8());
    const auto& chosen = detail::proxy_for_url(proxies, url);
    if (chosen.empty()) return std::optional<std::string>{};
    return std::optional<std::string>{chosen};
}

}  // namespace

std::optional<std::string> system_proxy_for(std::string_view url) {
    WINHTTP_CURRENT_USER_IE_PROXY_CONFIG settings{};
    if (!::WinHttpGetIEProxyConfigForCurrentUser(&settings)) return std::nullopt;
    const GlobalString config_url(settings.lpszAutoConfigUrl);
    const GlobalString proxy(settings.lpszProxy);
    const GlobalString bypass(settings.lpszProxyBypass);

    if (settings.fAutoDetect || !config_url.empty()) {
        if (auto automatic =
                automatic_proxy(url, settings.fAutoDetect != FALSE, settings.lpszAutoConfigUrl))
            return *automatic;
    }
    if (proxy.empty()) return std::nullopt;
    if (detail::proxy_bypassed(url, bypass.utf8())) return std::nullopt;
    const auto proxies = detail::parse_proxy_list(proxy.utf8());
    const auto& chosen = detail::proxy_for_url(proxies, url);
    if (chosen.empty()) return std::nullopt;
    return chosen;
}

}  // namespace deskext::platform
