#pragma once
// Redirects are followed by deskext, not by libcurl, so that Authorization is dropped the moment
// a redirect leaves the host the request was made for.

#include <optional>
#include <string>
#include <string_view>

#include "deskext/error.hpp"

namespace deskext::registry {

// host[:port] of a URL, lower-case, without user info ("https://u@Reg:5000/x" → "reg:5000").
[[nodiscard]] std::string url_authority(std::string_view url);

// A Location header resolved against the URL that sent it; none unless http or https.
[[nodiscard]] std::optional<std::string> resolve_location(const std::string& base,
                                                          const std::string& location);

// Whether a status asks to be redirected (3xx but 304).
[[nodiscard]] bool is_redirect(long status);

// Where one request goes next, through its redirects.
class Redirects {
public:
    Redirects(std::string url, int max_redirects);

    [[nodiscard]] const std::string& url() const { return m_url; }
    // Whether url() is on the host the request was made for (Authorization may go there).
    [[nodiscard]] bool at_origin() const { return url_authority(m_url) == m_origin; }

    // Follows the redirect url() answered with `status` and `location`; an error
    // (ErrorCode::network) when there is none to follow or one too many.
    [[nodiscard]] Result<void> follow(long status, const std::string& location);

    // Back to the request's own URL for another attempt: a redirect target (a pre-signed URL)
    // may have expired.
    void restart();

private:
    std::string m_request_url;
    std::string m_url;
    std::string m_origin;
    int m_max;
    int m_followed = 0;
};

}  // namespace deskext::registry
