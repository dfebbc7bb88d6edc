#pragma once
// Private to platform/: Windows' static proxy settings as the text WinHTTP hands over
// (WINHTTP_CURRENT_USER_IE_PROXY_CONFIG's lpszProxy and lpszProxyBypass), read without any Win32
// type so that they are tested on every OS. The format is WinINet's, also how Chromium reads it.

#include <string>
#include <string_view>

namespace deskext::platform::detail {

// The proxy for each scheme, as a URL ("http://proxy.corp:8080"); "" where none applies.
struct ProxyList {
    std::string http;
    std::string https;
};

// Parses a proxy setting: "host:port" for every scheme, or entries "scheme=host[:port]"
// ("http=p:3128;https=p:3129"), separated by ';' or whitespace. For a scheme, its own entry wins
// over an entry for every scheme, which wins over a "socks=" one (a SOCKS4 proxy, as WinINet
// speaks it); the first of each counts. A host without a port gets 80 (1080 for SOCKS); a value
// may carry its own scheme ("http=https://p:443"). Entries for other schemes (ftp=) and entries
// that are not host[:port] are ignored: an empty or garbled setting gives no proxy.
[[nodiscard]] ProxyList parse_proxy_list(std::string_view setting);

// The list's proxy for `url`'s scheme (https:// or else http://); "" when it has none.
[[nodiscard]] const std::string& proxy_for_url(const ProxyList& list, std::string_view url);

// Whether the list of hosts not to proxy names the URL's host: entries separated by ';' or
// whitespace, compared without regard to case, '*' standing for any run of characters
// ("*.corp.example", "10.*", "*"); "<local>" names every host without a dot. An entry with a
// port ("host:8080") names that port only, one with a scheme ("https://host") that scheme only.
[[nodiscard]] bool proxy_bypassed(std::string_view url, std::string_view bypass_list);

}  // namespace deskext::platform::detail
