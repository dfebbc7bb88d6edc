#pragma once
// The proxy of one attempt, and what a proxy that refused it answered.

#include <curl/curl.h>

#include <optional>
#include <string>

#include "deskext/error.hpp"
#include "registry/proxy.hpp"

namespace deskext::registry {

// `proxy` as proxy_for chose it; "" connects directly (libcurl never reads the environment).
[[nodiscard]] Result<void> set_proxy_options(CURL* easy, const std::string& proxy);

// Why the proxy refused the finished attempt on `easy` to `url` (407 to a plain-HTTP request or
// to CONNECT, or another error status to CONNECT), naming the proxy and never its credentials;
// none when it did not (or there was no proxy). `status` is the attempt's HTTP status.
[[nodiscard]] std::optional<std::string> proxy_refusal(CURL* easy, CURLcode code, long status,
                                                       const std::string& proxy,
                                                       const std::string& url,
                                                       const ProxyConfig& proxies);

}  // namespace deskext::registry
