// Windows' static proxy settings, read the way WinINet and Chromium read them:
// https://learn.microsoft.com/en-us/windows/win32/wininet/enabling-internet-functionality
// (proxy lists and bypass lists) and Chromium's ProxyConfig::ProxyRules::ParseFromString.

#include "../common/proxy_settings.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "deskext/ascii.hpp"

namespace deskext::platform::detail {
namespace {

bool is_separator(char c) { return c == ';' || c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::vector<std::string_view> entries_of(std::string_view list) {
    std::vector<std::string_view> entries;
    std::size_t at = 0;
    while (at < list.size()) {
        while (at < list.size() && is_separator(list[at])) ++at;
        const std::size_t start = at;
        while (at < list.size() && !is_separator(list[at])) ++at;
        if (at > start) entries.push_back(list.substr(start, at - start));
    }
    return entries;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_port(std::string_view text) {
    if (text.empty() || text.size() > 5) return false;
    unsigned value = 0;
    for (char c : text) {
        if (!is_digit(c)) return false;
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    return value >= 1 && value <= 65535;
}

bool is_host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '.' ||
           c == '-' || c == '_';
}

bool is_ipv6_char(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

struct Authority {
    std::string host;  // an IPv6 address keeps its brackets
    std::string port;  // "" when none was given
};

// "host[:port]" or "[v6][:port]"; nullopt for anything else (a path, user info, a bad port).
std::optional<Authority> split_authority(std::string_view text) {
    Authority authority;
    std::size_t host_end = 0;
    if (text.starts_with('[')) {
        host_end = text.find(']');
        if (host_end == std::string_view::npos || host_end == 1) return std::nullopt;
        for (char c : text.substr(1, host_end - 1)) {
            if (!is_ipv6_char(c)) return std::nullopt;
        }
        ++host_end;
    } else {
        host_end = std::min(text.find(':'), text.size());
        if (host_end == 0) return std::nullopt;
        for (char c : text.substr(0, host_end)) {
            if (!is_host_char(c)) return std::nullopt;
        }
    }
    authority.host = std::string(text.substr(0, host_end));
    text.remove_prefix(host_end);
    if (text.empty()) return authority;
    if (text.front() != ':' || !is_port(text.substr(1))) return std::nullopt;
    authority.port = std::string(text.substr(1));
    return authority;
}

// A proxy setting's value ("p:3128", "https://p:443/") as a proxy URL, `scheme` unless it names
// its own; "" when it is not one.
std::string proxy_url(std::string_view value, std::string scheme) {
    if (const auto separator = value.find("://"); separator != std::string_view::npos) {
        scheme = ascii_lower(value.substr(0, separator));
        static constexpr std::array<std::string_view, 6> k_known{"http",    "https",  "socks4",
                                                                 "socks4a", "socks5", "socks5h"};
        if (std::find(k_known.begin(), k_known.end(), scheme) == k_known.end()) return {};
        value.remove_prefix(separator + 3);
    }
    if (value.ends_with('/')) value.remove_suffix(1);
    auto authority = split_authority(value);
    if (!authority) return {};
    if (authority->port.empty()) {
        authority->port = scheme.starts_with("socks") ? "1080" : scheme == "https" ? "443" : "80";
    }
    return scheme + "://" + authority->host + ":" + authority->port;
}

// '*' matches any run of characters; both sides are lower-case already.
bool glob_match(std::string_view pattern, std::string_view text) {
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t star_text = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_text = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++star_text;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

struct Target {
    std::string scheme;
    std::string host;  // lower-case; an IPv6 address keeps its brackets
    std::string port;  // the scheme's default when the URL gives none
};

Target target_of(std::string_view url) {
    Target target;
    if (const auto separator = url.find("://"); separator != std::string_view::npos) {
        target.scheme = ascii_lower(url.substr(0, separator));
        url.remove_prefix(separator + 3);
    }
    url = url.substr(0, url.find_first_of("/?#"));
    if (const auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
    if (auto authority = split_authority(url)) {
        target.host = ascii_lower(authority->host);
        target.port = authority->port;
    } else {
        target.host = ascii_lower(url);
    }
    if (target.port.empty()) target.port = target.scheme == "https" ? "443" : "80";
    return target;
}

// A bypass entry's port, when it has one after its host pattern ("*.corp:8080", "[::1]:5000").
std::pair<std::string_view, std::string_view> split_pattern_port(std::string_view pattern) {
    const auto colon = pattern.rfind(':');
    if (colon == std::string_view::npos || !is_port(pattern.substr(colon + 1)))
        return {pattern, {}};
    const bool bracketed = pattern.starts_with('[') && colon > 0 && pattern[colon - 1] == ']';
    const bool one_colon = pattern.find(':') == colon;
    if (!bracketed && !one_colon) return {pattern, {}};  // a bare IPv6 pattern
    return {pattern.substr(0, colon), pattern.substr(colon + 1)};
}

bool entry_matches(std::string_view entry, const Target& target) {
    if (entry == "<local>") {
        return !target.host.empty() && target.host.find('.') == std::string::npos &&
               target.host.find(':') == std::string::npos;
    }
    if (const auto separator = entry.find("://"); separator != std::string_view::npos) {
        if (entry.substr(0, separator) != target.scheme) return false;
        entry.remove_prefix(separator + 3);
    }
    const auto [pattern, port] = split_pattern_port(entry);
    if (pattern.empty() || (!port.empty() && port != target.port)) return false;
    // ".corp.example" means "*.corp.example", as in Chromium.
    if (pattern.starts_with('.')) return glob_match("*" + std::string(pattern), target.host);
    return glob_match(pattern, target.host);
}

}  // namespace

ProxyList parse_proxy_list(std::string_view setting) {
    ProxyList own;
    std::string every;
    std::string socks;
    for (const auto entry : entries_of(setting)) {
        const auto equals = entry.find('=');
        if (equals == std::string_view::npos) {
            if (every.empty()) every = proxy_url(entry, "http");
            continue;
        }
        const auto scheme = ascii_lower(entry.substr(0, equals));
        const auto value = entry.substr(equals + 1);
        if (scheme == "http" && own.http.empty()) own.http = proxy_url(value, "http");
        if (scheme == "https" && own.https.empty()) own.https = proxy_url(value, "http");
        if (scheme == "socks" && socks.empty()) socks = proxy_url(value, "socks4");
    }
    const std::string& fallback = every.empty() ? socks : every;
    if (own.http.empty()) own.http = fallback;
    if (own.https.empty()) own.https = fallback;
    return own;
}

const std::string& proxy_for_url(const ProxyList& list, std::string_view url) {
    return ascii_lower(url.substr(0, 8)) == "https://" ? list.https : list.http;
}

bool proxy_bypassed(std::string_view url, std::string_view bypass_list) {
    const Target target = target_of(url);
    for (const auto entry : entries_of(bypass_list)) {
        if (entry_matches(ascii_lower(entry), target)) return true;
    }
    return false;
}

}  // namespace deskext::platform::detail
