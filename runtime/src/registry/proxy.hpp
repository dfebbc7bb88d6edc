#pragma once
// Which proxy a URL goes through, from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case; the
// lower-case name wins when both are set, as libcurl and Go do). Resolved by deskext rather than
// left to libcurl, which ignores upper-case HTTP_PROXY.

#include <optional>
#include <string>
#include <string_view>

namespace deskext::registry {

struct ProxyConfig {
    std::string http_proxy;   // for http:// URLs
    std::string https_proxy;  // for https:// URLs
    std::string no_proxy;     // comma-separated hosts, domains (".example.com"), IPs, CIDRs, "*"

    // From the process environment.
    [[nodiscard]] static ProxyConfig from_environment();
};

// The proxy URL for `url`, or "" for a direct connection. Loopback hosts (localhost,
// 127.0.0.0/8, ::1) are never proxied, as Docker (Go's net/http) does.
[[nodiscard]] std::string proxy_for(std::string_view url, const ProxyConfig& config);

}  // namespace deskext::registry
