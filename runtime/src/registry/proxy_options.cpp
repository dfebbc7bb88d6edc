#include "registry/proxy_options.hpp"

#include <fmt/format.h>

#include "registry/curl_option.hpp"
#include "registry/url_sanitizer.hpp"

namespace deskext::registry {

Result<void> set_proxy_options(CURL* easy, const std::string& proxy) {
    return set_option(easy, CURLOPT_PROXY, proxy.c_str());
}

std::optional<std::string> proxy_refusal(CURL* easy, CURLcode code, long status,
                                         const std::string& proxy, const std::string& url,
                                         const ProxyConfig& proxies) {
    if (proxy.empty()) return std::nullopt;
    if (code == CURLE_OK) {
        if (status != 407) return std::nullopt;
    } else {
        status = 0;
        curl_easy_getinfo(easy, CURLINFO_HTTP_CONNECTCODE, &status);
        if (status < 300) return std::nullopt;
    }
    // A refusal is not retried: another attempt would be refused the same way.
    std::string why = fmt::format("the proxy {} answered {} for {}", sanitize_url(proxy), status,
                                  sanitize_url(url));
    if (status == 407) {
        why += " (proxy authentication required: " + proxy_credentials_hint(url, proxies) + ")";
    }
    return why;
}

}  // namespace deskext::registry
