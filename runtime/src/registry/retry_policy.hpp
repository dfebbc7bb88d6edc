#pragma once
// When a failed request is tried again, after how long, and how long each attempt may take
// (docs/architecture.md: transient failures retried, permanent ones reported).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "deskext/error.hpp"
#include "registry/http_params.hpp"

namespace deskext::registry {

// Whether an HTTP status is worth another attempt (408, 429, most 5xx).
[[nodiscard]] bool is_transient_status(long status);

// Whether a libcurl failure (a CURLcode) is worth another attempt (a timeout, a cut connection).
// Connection refused and name resolution failures are not: waiting does not make a wrong host or
// port right.
[[nodiscard]] bool is_transient_curl(long code);

// Retry-After as seconds or an HTTP date, relative to `now` (seconds since the epoch); none
// when absent or malformed. Not capped here.
[[nodiscard]] std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                                    std::int64_t now);

// The wait before attempt `attempt` (1 = the first retry): Retry-After when the server gave
// one (capped at retry_after_max), else exponential back-off capped at backoff_max.
[[nodiscard]] std::chrono::milliseconds retry_delay(
    const HttpParams& params, int attempt, std::optional<std::chrono::seconds> retry_after);

// The attempts of one request. Every request ends within params.request_timeout, its retries
// included; a resumable one (a blob's body) has params.blob_timeout_factor times as long for each
// attempt instead, and no deadline for the whole.
class Attempts {
public:
    using Clock = std::chrono::steady_clock;
    // max_attempts 0: params.max_attempts.
    Attempts(const HttpParams& params, int max_attempts, bool resumable);

    // How long the next attempt may take: what is left of the deadline, or a blob's own time.
    [[nodiscard]] long timeout_ms() const;

    // After a failed attempt (`why`): when the next one may start, or the error that ends the
    // request (out of attempts, or no time left for the next).
    [[nodiscard]] Result<Clock::time_point> after_failure(
        std::optional<std::chrono::seconds> retry_after, const std::string& why);

    // The error of an attempt that used up the request's time ("where: no complete answer ...").
    [[nodiscard]] Error out_of_time(const std::string& where) const;

private:
    const HttpParams& m_params;
    int m_max;
    bool m_resumable;
    int m_failed = 0;
    Clock::time_point m_deadline;
};

}  // namespace deskext::registry
