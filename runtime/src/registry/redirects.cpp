#include "registry/redirects.hpp"

#include <curl/curl.h>

#include <memory>

#include <fmt/format.h>

#include "deskext/ascii.hpp"
#include "registry/url_sanitizer.hpp"

namespace deskext::registry {

std::string url_authority(std::string_view url) {
    if (const auto sep = url.find("://"); sep != std::string_view::npos) url.remove_prefix(sep + 3);
    url = url.substr(0, url.find_first_of("/?#"));
    if (const auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
    return ascii_lower(url);
}

std::optional<std::string> resolve_location(const std::string& base, const std::string& location) {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> url(curl_url(), &curl_url_cleanup);
    if (!url) return std::nullopt;
    if (curl_url_set(url.get(), CURLUPART_URL, base.c_str(), 0) != CURLUE_OK) return std::nullopt;
    if (curl_url_set(url.get(), CURLUPART_URL, location.c_str(), 0) != CURLUE_OK) {
        return std::nullopt;
    }
    char* out = nullptr;
    if (curl_url_get(url.get(), CURLUPART_URL, &out, 0) != CURLUE_OK) return std::nullopt;
    std::string resolved(out);
    curl_free(out);
    if (!resolved.starts_with("http://") && !resolved.starts_with("https://")) {
        return std::nullopt;
    }
    return resolved;
}

bool is_redirect(long status) { return status >= 300 && status < 400 && status != 304; }

Redirects::Redirects(std::string url, int max_redirects)
    : m_request_url(url), m_url(std::move(url)), m_origin(url_authority(m_url)),
      m_max(max_redirects) {}

Result<void> Redirects::follow(long status, const std::string& location) {
    const auto where = sanitize_url(m_url);
    if (location.empty()) {
        return fail(ErrorCode::network,
                    fmt::format("{} answered {} without a Location", where, status));
    }
    auto next = resolve_location(m_url, location);
    if (!next) {
        return fail(ErrorCode::network,
                    fmt::format("{} redirected to an unusable location", where));
    }
    if (++m_followed > m_max) {
        return fail(ErrorCode::network, fmt::format("{}: more than {} redirects", where, m_max));
    }
    m_url = *std::move(next);
    return {};
}

void Redirects::restart() {
    m_url = m_request_url;
    m_followed = 0;
}

}  // namespace deskext::registry
