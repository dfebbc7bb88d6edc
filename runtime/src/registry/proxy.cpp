// Proxy selection, following Go's net/http/httpproxy (what the docker CLI and daemon use):
// https://pkg.go.dev/golang.org/x/net/http/httpproxy#Config.ProxyFunc

#include "registry/proxy.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

#include "deskext/ascii.hpp"
#include "deskext/platform/paths.hpp"
#include "deskext/platform/system_proxy.hpp"
#include "registry/http_client.hpp"

namespace deskext::registry {
namespace {

std::string first_set(const char* lower, const char* upper) {
    if (auto v = platform::env_value(lower)) return *v;
    if (auto v = platform::env_value(upper)) return *v;
    return {};
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// Splits "host:port" / "[v6]:port" into host (without brackets) and port ("" when none).
std::pair<std::string, std::string> split_host_port(std::string_view authority) {
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) return {std::string(authority), ""};
        std::string host(authority.substr(1, close - 1));
        auto rest = authority.substr(close + 1);
        return {host, rest.starts_with(':') ? std::string(rest.substr(1)) : ""};
    }
    const auto colon = authority.rfind(':');
    if (colon == std::string_view::npos || authority.find(':') != colon) {
        return {std::string(authority), ""};
    }
    return {std::string(authority.substr(0, colon)), std::string(authority.substr(colon + 1))};
}

std::optional<std::uint32_t> parse_ipv4(std::string_view s) {
    std::uint32_t value = 0;
    int parts = 0;
    while (parts < 4) {
        std::uint32_t part = 0;
        std::size_t digits = 0;
        while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9' && digits < 3) {
            part = part * 10 + static_cast<std::uint32_t>(s[digits] - '0');
            ++digits;
        }
        if (digits == 0 || part > 255) return std::nullopt;
        value = (value << 8) | part;
        ++parts;
        s.remove_prefix(digits);
        if (parts < 4) {
            if (!s.starts_with('.')) return std::nullopt;
            s.remove_prefix(1);
        }
    }
    if (!s.empty()) return std::nullopt;
    return value;
}

bool is_loopback(const std::string& host) {
    if (host == "localhost" || host == "::1") return true;
    const auto ip = parse_ipv4(host);
    return ip && (*ip >> 24) == 127;
}

bool matches_no_proxy(const std::string& host, const std::string& port, std::string_view list) {
    while (!list.empty()) {
        const auto comma = list.find(',');
        auto entry = ascii_lower(trim(list.substr(0, comma)));
        list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
        if (entry.empty()) continue;
        if (entry == "*") return true;
        if (const auto slash = entry.find('/'); slash != std::string::npos) {  // IPv4 CIDR
            const auto net = parse_ipv4(std::string_view(entry).substr(0, slash));
            const auto ip = parse_ipv4(host);
            int bits = -1;
            try {
                bits = std::stoi(entry.substr(slash + 1));
            } catch (const std::exception&) {
                bits = -1;
            }
            if (!net || !ip || bits < 0 || bits > 32) continue;
            const std::uint32_t mask = bits == 0 ? 0 : ~std::uint32_t{0} << (32 - bits);
            if ((*net & mask) == (*ip & mask)) return true;
            continue;
        }
        auto [entry_host, entry_port] = split_host_port(entry);
        if (!entry_port.empty() && entry_port != port) continue;
        if (entry_host.starts_with("*.")) entry_host.erase(0, 1);
        if (entry_host.starts_with('.')) {
            if (host.ends_with(entry_host) || host == entry_host.substr(1)) return true;
        } else if (host == entry_host || host.ends_with("." + entry_host)) {
            return true;
        }
    }
    return false;
}

bool is_https(std::string_view url) { return ascii_lower(url.substr(0, 8)) == "https://"; }

// Whether the environment names a proxy: then it alone decides, for every scheme.
bool from_env(const ProxyConfig& config) {
    return !config.http_proxy.empty() || !config.https_proxy.empty();
}

// The answers of a system lookup, per "scheme://host:port".
struct Answers {
    std::mutex mutex;
    std::map<std::string, std::optional<std::string>, std::less<>> by_target;
};

}  // namespace

ProxyConfig ProxyConfig::from_environment() {
    ProxyConfig config;
    config.http_proxy = first_set("http_proxy", "HTTP_PROXY");
    config.https_proxy = first_set("https_proxy", "HTTPS_PROXY");
    config.no_proxy = first_set("no_proxy", "NO_PROXY");
    if (!from_env(config)) config.system = once_per_host(&platform::system_proxy_for);
    return config;
}

ProxyConfig::SystemLookup once_per_host(ProxyConfig::SystemLookup lookup) {
    return [lookup = std::move(lookup), answers = std::make_shared<Answers>()](
               std::string_view url) -> std::optional<std::string> {
        const std::string target =
            std::string(is_https(url) ? "https://" : "http://") + url_authority(url);
        // Held while asking, so that concurrent requests to one host ask once.
        const std::lock_guard lock(answers->mutex);
        auto found = answers->by_target.find(target);
        if (found == answers->by_target.end())
            found = answers->by_target.emplace(target, lookup(url)).first;
        return found->second;
    };
}

std::string proxy_for(std::string_view url, const ProxyConfig& config) {
    const bool https = is_https(url);
    if (from_env(config) ? (https ? config.https_proxy : config.http_proxy).empty()
                         : !config.system)
        return {};
    auto [host, port] = split_host_port(url_authority(url));
    if (port.empty()) port = https ? "443" : "80";
    if (is_loopback(host)) return {};
    if (matches_no_proxy(host, port, config.no_proxy)) return {};
    if (from_env(config)) return https ? config.https_proxy : config.http_proxy;
    return config.system(url).value_or("");
}

std::string proxy_credentials_hint(std::string_view url, const ProxyConfig& config) {
    if (!from_env(config)) {
        return "the proxy comes from the system's proxy settings; give one with a user and "
               "password in HTTPS_PROXY and HTTP_PROXY instead";
    }
    return std::string("check the user and password in ") +
           (is_https(url) ? "HTTPS_PROXY" : "HTTP_PROXY");
}

}  // namespace deskext::registry
