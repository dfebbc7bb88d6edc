#pragma once
// Which proxy a URL goes through, from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case; the
// lower-case name wins when both are set, as libcurl and Go do). Resolved by deskext rather than
// left to libcurl, which ignores upper-case HTTP_PROXY. When the environment names no proxy, the
// system's own settings decide (Windows': platform::system_proxy_for).

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace deskext::registry {

struct ProxyConfig {
    // The proxy for a URL from the system's settings, or nullopt for a direct connection.
    using SystemLookup = std::function<std::optional<std::string>(std::string_view url)>;

    std::string http_proxy;   // for http:// URLs
    std::string https_proxy;  // for https:// URLs
    std::string no_proxy;     // comma-separated hosts, domains (".example.com"), IPs, CIDRs, "*"
    // Asked only when neither http_proxy nor https_proxy is set; none: direct.
    SystemLookup system;

    // From the process environment, read once; with neither HTTP_PROXY nor HTTPS_PROXY set,
    // `system` asks platform::system_proxy_for, once per scheme and host.
    [[nodiscard]] static ProxyConfig from_environment();
};

// `lookup`, asked once per scheme and host (its first answer kept for the others): a PAC script
// or an auto-detection may take seconds. Copies share the answers; safe from several threads.
[[nodiscard]] ProxyConfig::SystemLookup once_per_host(ProxyConfig::SystemLookup lookup);

// The proxy URL for `url`, or "" for a direct connection. Loopback hosts (localhost,
// 127.0.0.0/8, ::1) are never proxied, as Docker (Go's net/http) does, and NO_PROXY applies to
// the system's proxies too.
[[nodiscard]] std::string proxy_for(std::string_view url, const ProxyConfig& config);

// What to check when the proxy proxy_for chose for `url` asks for credentials (407), for the
// message: the variable that set it, or that a proxy from the system's settings can be replaced
// by one given with a user and password.
[[nodiscard]] std::string proxy_credentials_hint(std::string_view url, const ProxyConfig& config);

}  // namespace deskext::registry
