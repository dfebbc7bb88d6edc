#include "registry/retry_policy.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

namespace deskext::registry {
namespace {

constexpr std::string_view timeout_hint = " (--timeout SECONDS gives it longer)";

}  // namespace

bool is_transient_status(long status) {
    return status == 408 || status == 429 ||
           (status >= 500 && status <= 599 && status != 501 && status != 505);
}

bool is_transient_curl(long code) {
    switch (static_cast<CURLcode>(code)) {
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_SSL_CONNECT_ERROR:
            return true;
        default:
            return false;
    }
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, std::int64_t now) {
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        if (value.size() > 9) return std::chrono::seconds(999999999);
        return std::chrono::seconds(std::stol(std::string(value)));
    }
    // An HTTP date (RFC 9110 §10.2.3): libcurl parses the three formats HTTP allows.
    const std::string text(value);
    const time_t when = curl_getdate(text.c_str(), nullptr);
    if (when < 0) return std::nullopt;
    return std::chrono::seconds(std::max<std::int64_t>(0, static_cast<std::int64_t>(when) - now));
}

std::chrono::milliseconds retry_delay(const HttpParams& params, int attempt,
                                      std::optional<std::chrono::seconds> retry_after) {
    if (retry_after) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::min(*retry_after, params.retry_after_max));
    }
    const double factor = std::pow(2.0, std::max(0, attempt - 1));
    const auto delay = std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(params.backoff_initial.count()) * factor));
    return std::min(delay, params.backoff_max);
}

Attempts::Attempts(const HttpParams& params, int max_attempts, bool resumable)
    : m_params(params),
      m_max(max_attempts > 0 ? max_attempts : params.max_attempts),
      m_resumable(resumable),
      m_deadline(Clock::now() + params.request_timeout) {}

long Attempts::timeout_ms() const {
    using std::chrono::milliseconds;
    if (m_resumable) {
        return static_cast<long>(
            std::chrono::duration_cast<milliseconds>(m_params.request_timeout).count() *
            m_params.blob_timeout_factor);
    }
    const auto left = std::chrono::duration_cast<milliseconds>(m_deadline - Clock::now());
    return static_cast<long>(std::max<std::int64_t>(1, left.count()));
}

Result<Attempts::Clock::time_point> Attempts::after_failure(
    std::optional<std::chrono::seconds> retry_after, const std::string& why) {
    ++m_failed;
    if (m_failed >= m_max) {
        return fail(ErrorCode::network,
                    fmt::format("{} (gave up after {} attempts)", why, m_failed));
    }
    const auto next = Clock::now() + retry_delay(m_params, m_failed, retry_after);
    if (!m_resumable && next >= m_deadline) {
        return fail(ErrorCode::network,
                    fmt::format("{} (gave up after {} attempts: no time left of {} s{})", why,
                                m_failed, m_params.request_timeout.count(), timeout_hint));
    }
    return next;
}

Error Attempts::out_of_time(const std::string& where) const {
    return Error{ErrorCode::network,
                 fmt::format("{}: no complete answer within {} s{}", where,
                             m_params.request_timeout.count(), timeout_hint)};
}

}  // namespace deskext::registry
