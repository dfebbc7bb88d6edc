// HttpClient over libcurl's multi interface. Each request is a small state machine (attempt,
// redirect, resume) whose steps are libcurl easy transfers; redirects are followed here, not by
// libcurl, so that Authorization is dropped the moment a redirect leaves the original host.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs

#include "registry/http_client.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "deskext/ascii.hpp"
#include "registry/curl_handles.hpp"
#include "registry/url_sanitizer.hpp"

namespace deskext::registry {

void ensure_curl_initialised() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("curl_global_init failed");
        }
    });
}

Result<void> StringSink::write(std::string_view chunk) {
    if (m_data.size() + chunk.size() > m_cap) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} is larger than the limit of {} bytes", m_what, m_cap));
    }
    m_data.append(chunk);
    return {};
}

Result<void> StringSink::restart() {
    m_data.clear();
    return {};
}

std::string HttpResponse::header(std::string_view lower_name) const {
    std::string value;
    for (const auto& [name, v] : headers) {
        if (name == lower_name) value = v;
    }
    return value;
}

std::vector<std::string> HttpResponse::headers_named(std::string_view lower_name) const {
    std::vector<std::string> values;
    for (const auto& [name, v] : headers) {
        if (name == lower_name) values.push_back(v);
    }
    return values;
}

bool is_transient_status(long status) {
    return status == 408 || status == 429 ||
           (status >= 500 && status <= 599 && status != 501 && status != 505);
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

std::string url_authority(std::string_view url) {
    if (const auto sep = url.find("://"); sep != std::string_view::npos) url.remove_prefix(sep + 3);
    url = url.substr(0, url.find_first_of("/?#"));
    if (const auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
    return ascii_lower(url);
}

namespace {

// The system CA bundle libcurl would use, read once: certs.d CAs are added to it, not put in
// its place (Docker trusts both).
const std::string& system_ca_bundle() {
    static const std::string bundle = [] {
        auto easy = make_easy();
        char* path = nullptr;
        std::string text;
        if (curl_easy_getinfo(easy.get(), CURLINFO_CAINFO, &path) == CURLE_OK && path != nullptr) {
            std::ifstream in(path, std::ios::binary);
            std::ostringstream buffer;
            buffer << in.rdbuf();
            text = buffer.str();
        }
        return text;
    }();
    return bundle;
}

bool is_transient_curl(CURLcode code) {
    switch (code) {
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
            // Connection refused and name resolution failures are reported at once: waiting
            // does not make a wrong host or port right.
            return false;
    }
}

// Resolves a Location header against the URL that sent it.
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

constexpr long k_receive_buffer = 512L * 1024;

// One request through its attempts, redirects and resumes.
class Transfer {
public:
    Transfer(const HttpRequest& request, BodySink* sink, const HttpParams& params,
             const ProxyConfig& proxies, const HttpClient::TlsFor& tls_for)
        : m_request(request),
          m_sink(sink),
          m_params(params),
          m_proxies(proxies),
          m_tls_for(tls_for),
          m_url(request.url),
          m_origin(url_authority(request.url)),
          m_deadline(std::chrono::steady_clock::now() + params.request_timeout) {}

    [[nodiscard]] bool finished() const { return m_result.has_value(); }
    [[nodiscard]] std::chrono::steady_clock::time_point not_before() const { return m_not_before; }
    [[nodiscard]] const Result<HttpResponse>& result() const { return *m_result; }
    [[nodiscard]] CURL* easy() const { return m_easy.get(); }
    [[nodiscard]] Result<HttpResponse> take_result() { return std::move(*m_result); }
    [[nodiscard]] long transport_code() const { return m_transport_code; }

    // A fresh easy handle for the next step.
    CURL* start() {
        m_easy = make_easy();
        m_headers = CurlSlist();
        m_response = HttpResponse{};
        m_response.url = m_url;
        m_in_headers = true;
        m_body_ok = false;
        m_sink_error.reset();
        m_restart_without_range = false;
        m_received_this_attempt = 0;
        m_header_bytes = 0;
        m_unread_body_bytes = 0;
        m_unread_body_cut = false;
        CURL* e = m_easy.get();
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, attempt_timeout_ms());
        curl_easy_setopt(e, CURLOPT_URL, m_url.c_str());
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, m_params.connect_timeout_seconds);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, m_params.low_speed_bytes);
        curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, m_params.low_speed_seconds);
        curl_easy_setopt(e, CURLOPT_USERAGENT, "deskext");
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, nullptr);  // digests are over raw bytes
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, this);
        // Blobs arrive in large pieces: fewer calls to write them into the cache and to wake
        // the layer being read from them.
        curl_easy_setopt(e, CURLOPT_BUFFERSIZE, k_receive_buffer);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &Transfer::on_body);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
        curl_easy_setopt(e, CURLOPT_PRIVATE, this);
        m_proxy = proxy_for(m_url, m_proxies);
        curl_easy_setopt(e, CURLOPT_PROXY, m_proxy.c_str());  // "" = direct, env ignored

        const auto authority = url_authority(m_url);
        m_tls = m_tls_for(authority);
        // Revocation is checked where a certificate says how (a CRL or OCSP address that
        // answers), but a certificate that names none, or whose list cannot be fetched, is not
        // refused for it: the certificates of private CAs (certs.d) name none, and Docker checks
        // no revocation at all. Only Schannel (Windows) checks revocation; other TLS back ends
        // ignore the option.
        curl_easy_setopt(e, CURLOPT_SSL_OPTIONS, static_cast<long>(CURLSSLOPT_REVOKE_BEST_EFFORT));
        if (!m_tls.verify) {
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (!m_tls.extra_ca_pem.empty()) {
            m_ca_blob = system_ca_bundle() + "\n" + m_tls.extra_ca_pem;
            curl_blob blob{m_ca_blob.data(), m_ca_blob.size(), CURL_BLOB_NOCOPY};
            curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
        }
        if (!m_tls.client_cert.empty()) {
            curl_easy_setopt(e, CURLOPT_SSLCERT, m_tls.client_cert.c_str());
            curl_easy_setopt(e, CURLOPT_SSLKEY, m_tls.client_key.c_str());
        }

        for (const auto& h : m_request.headers) m_headers.append(h.c_str());
        // Authorization only ever goes to the host the request was made for.
        if (!m_request.authorization.empty() && authority == m_origin) {
            m_auth_line = "Authorization: " + m_request.authorization;
            m_headers.append(m_auth_line.c_str());
        }
        m_range_start = 0;
        if (m_request.resumable && m_sink != nullptr && m_sink->size() > 0 && !m_no_range) {
            m_range_start = m_sink->size();
            m_range_line = fmt::format("Range: bytes={}-", m_range_start);
            m_headers.append(m_range_line.c_str());
        }
        m_no_range = false;
        if (m_request.method == "POST") {
            curl_easy_setopt(e, CURLOPT_POST, 1L);
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, m_request.body.c_str());
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(m_request.body.size()));
            m_headers.append("Expect:");
        } else if (m_request.method == "HEAD") {
            curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        }
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, m_headers.get());
        return e;
    }

    // Decides what the finished step means: done, retry later, or follow a redirect.
    void on_done(CURLcode code) {
        const auto where = sanitize_url(m_url);
        if (m_sink_error) {
            finish(std::unexpected(std::move(*m_sink_error)));
            return;
        }
        if (m_header_bytes > m_params.max_header_bytes) {
            finish(
                fail(ErrorCode::network, fmt::format("{} sent more than {} KiB of response headers",
                                                     where, m_params.max_header_bytes / 1024)));
            return;
        }
        // The part of a body nobody reads that was worth keeping has arrived: the answer is
        // complete as far as deskext is concerned.
        if (m_unread_body_cut) code = CURLE_OK;
        if (code == CURLE_OPERATION_TIMEDOUT && !m_request.resumable) {
            finish(fail(ErrorCode::network,
                        fmt::format("{}: no complete answer within {} s{}", where,
                                    m_params.request_timeout.count(), timeout_hint())));
            return;
        }
        if (m_restart_without_range) {
            m_no_range = true;
            retry_or_fail(std::nullopt,
                          fmt::format("{}: the server resumed at the wrong offset", where));
            return;
        }
        if (auto refused = proxy_refusal(code)) {
            finish(fail(ErrorCode::network, *refused));
            return;
        }
        if (code != CURLE_OK) {
            m_transport_code = static_cast<long>(code);
            const std::string why = fmt::format("{}: {}", where, curl_easy_strerror(code));
            // A cut after body bytes arrived is resumed; it does not use up an attempt when the
            // attempt made progress, within a bound.
            if (is_transient_curl(code)) {
                if (m_received_this_attempt > 0 && m_request.resumable && m_resumes < 10) {
                    ++m_resumes;
                    m_not_before = std::chrono::steady_clock::now();
                    return;
                }
                retry_or_fail(std::nullopt, why);
                return;
            }
            finish(fail(ErrorCode::network, why));
            return;
        }
        const long status = m_response.status;
        if (status >= 300 && status < 400 && status != 304) {
            const auto location = m_response.header("location");
            if (location.empty()) {
                finish(fail(ErrorCode::network,
                            fmt::format("{} answered {} without a Location", where, status)));
                return;
            }
            auto next = resolve_location(m_url, location);
            if (!next) {
                finish(fail(ErrorCode::network,
                            fmt::format("{} redirected to an unusable location", where)));
                return;
            }
            if (++m_redirects > m_params.max_redirects) {
                finish(fail(ErrorCode::network, fmt::format("{}: more than {} redirects", where,
                                                            m_params.max_redirects)));
                return;
            }
            m_url = *std::move(next);
            m_not_before = std::chrono::steady_clock::now();
            return;
        }
        if (is_transient_status(status)) {
            const auto retry_after =
                parse_retry_after(m_response.header("retry-after"), std::time(nullptr));
            retry_or_fail(retry_after, fmt::format("{} answered {}", where, status));
            return;
        }
        finish(std::move(m_response));
    }

    void fail_now(Error error) { finish(std::unexpected(std::move(error))); }

private:
    // A proxy that refused the request (407 to a plain-HTTP request or to CONNECT, or another
    // error status to CONNECT) is not retried: the message names the proxy, never its
    // credentials.
    std::optional<std::string> proxy_refusal(CURLcode code) {
        if (m_proxy.empty()) return std::nullopt;
        long status = 0;
        if (code == CURLE_OK) {
            if (m_response.status != 407) return std::nullopt;
            status = 407;
        } else {
            curl_easy_getinfo(m_easy.get(), CURLINFO_HTTP_CONNECTCODE, &status);
            if (status < 300) return std::nullopt;
        }
        std::string why = fmt::format("the proxy {} answered {} for {}", sanitize_url(m_proxy),
                                      status, sanitize_url(m_url));
        if (status == 407) {
            why += " (proxy authentication required: " + proxy_credentials_hint(m_url, m_proxies) +
                   ")";
        }
        return why;
    }

    void finish(Result<HttpResponse> result) {
        m_result = std::move(result);
        m_easy.reset();
    }

    void retry_or_fail(std::optional<std::chrono::seconds> retry_after, const std::string& why) {
        ++m_attempt;
        const int max = m_request.max_attempts > 0 ? m_request.max_attempts : m_params.max_attempts;
        if (m_attempt >= max) {
            finish(fail(ErrorCode::network,
                        fmt::format("{} (gave up after {} attempts)", why, m_attempt)));
            return;
        }
        const auto next =
            std::chrono::steady_clock::now() + retry_delay(m_params, m_attempt, retry_after);
        if (!m_request.resumable && next >= m_deadline) {
            finish(fail(ErrorCode::network,
                        fmt::format("{} (gave up after {} attempts: no time left of {} s{})", why,
                                    m_attempt, m_params.request_timeout.count(), timeout_hint())));
            return;
        }
        // Back to the original URL: a redirect target (a pre-signed URL) may have expired.
        m_url = m_request.url;
        m_redirects = 0;
        m_not_before = next;
    }

    // How long the next attempt may take: what is left of the request's deadline, or a blob's
    // own time per attempt.
    [[nodiscard]] long attempt_timeout_ms() const {
        using std::chrono::milliseconds;
        if (m_request.resumable) {
            return static_cast<long>(
                std::chrono::duration_cast<milliseconds>(m_params.request_timeout).count() *
                m_params.blob_timeout_factor);
        }
        const auto left =
            std::chrono::duration_cast<milliseconds>(m_deadline - std::chrono::steady_clock::now());
        return static_cast<long>(std::max<std::int64_t>(1, left.count()));
    }

    [[nodiscard]] static std::string_view timeout_hint() {
        return " (--timeout SECONDS gives it longer)";
    }

    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self_ptr) {
        auto* self = static_cast<Transfer*>(self_ptr);
        self->m_header_bytes += size * count;
        if (self->m_header_bytes > self->m_params.max_header_bytes) return 0;
        std::string_view line(data, size * count);
        while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
        if (line.starts_with("HTTP/")) {
            self->m_response.headers.clear();
            const auto space = line.find(' ');
            self->m_response.status =
                space == std::string_view::npos
                    ? 0
                    : std::atol(std::string(line.substr(space + 1, 3)).c_str());
            self->m_in_headers = true;
            return size * count;
        }
        if (line.empty()) {
            if (self->m_response.status >= 200 && self->m_response.status < 300) {
                if (!self->begin_body()) return 0;
            }
            self->m_in_headers = false;
            return size * count;
        }
        const auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            auto value = line.substr(colon + 1);
            while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
                value.remove_prefix(1);
            self->m_response.headers.emplace_back(ascii_lower(line.substr(0, colon)), std::string(value));
        }
        return size * count;
    }

    // At the end of a 2xx header block: checks a resumed response and readies the sink.
    bool begin_body() {
        m_body_ok = true;
        if (m_sink == nullptr) return true;
        if (m_response.status == 206 && m_range_start > 0) {
            // Content-Range: bytes START-END/TOTAL must start where we stopped.
            const auto range = m_response.header("content-range");
            const auto prefix = std::string_view("bytes ");
            long long start = -1;
            if (std::string_view(range).starts_with(prefix)) {
                start = std::atoll(range.c_str() + prefix.size());
            }
            if (start != m_range_start) {
                m_restart_without_range = true;
                return false;
            }
            return true;
        }
        if (m_sink->size() > 0) {
            // The server ignored Range (200) or this is a fresh response: start over.
            auto restarted = m_sink->restart();
            if (!restarted) {
                m_sink_error = std::move(restarted).error();
                return false;
            }
        }
        return true;
    }

    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self_ptr) {
        auto* self = static_cast<Transfer*>(self_ptr);
        const std::string_view chunk(data, size * count);
        if (self->m_body_ok && self->m_sink != nullptr) {
            auto written = self->m_sink->write(chunk);
            if (!written) {
                self->m_sink_error = std::move(written).error();
                return 0;
            }
            self->m_received_this_attempt += static_cast<std::int64_t>(chunk.size());
            return chunk.size();
        }
        // A body nobody reads: the start of an error's is kept for messages, and no more than
        // that is waited for.
        const auto cap = self->m_params.max_error_body;
        const auto room = cap - std::min(cap, self->m_unread_body_bytes);
        const auto kept = chunk.substr(0, room);
        self->m_unread_body_bytes += kept.size();
        if (!self->m_body_ok) self->m_response.error_body.append(kept);
        if (chunk.size() > room) {
            self->m_unread_body_cut = true;
            return 0;
        }
        return chunk.size();
    }

    const HttpRequest& m_request;
    BodySink* m_sink;
    const HttpParams& m_params;
    const ProxyConfig& m_proxies;
    const HttpClient::TlsFor& m_tls_for;
    std::string m_url;
    std::string m_origin;
    std::string m_proxy;  // of the current step; "" when direct

    CurlEasy m_easy;
    CurlSlist m_headers;
    std::string m_auth_line;
    std::string m_range_line;
    std::string m_ca_blob;
    TlsSettings m_tls;
    HttpResponse m_response;
    bool m_in_headers = true;
    bool m_body_ok = false;
    bool m_restart_without_range = false;
    bool m_no_range = false;
    std::optional<Error> m_sink_error;
    std::int64_t m_range_start = 0;
    std::int64_t m_received_this_attempt = 0;
    long m_transport_code = 0;
    int m_attempt = 0;
    int m_redirects = 0;
    int m_resumes = 0;
    std::size_t m_header_bytes = 0;       // of this attempt
    std::size_t m_unread_body_bytes = 0;  // of this attempt's body nobody reads
    bool m_unread_body_cut = false;
    std::chrono::steady_clock::time_point m_deadline;  // of the whole request, retries included
    std::chrono::steady_clock::time_point m_not_before{};
    std::optional<Result<HttpResponse>> m_result;
};

}  // namespace

struct HttpClient::IdleHandles {
    std::mutex mutex;
    std::vector<CurlMulti> handles;

    CurlMulti take() {
        {
            const std::lock_guard lock(mutex);
            if (!handles.empty()) {
                auto multi = std::move(handles.back());
                handles.pop_back();
                return multi;
            }
        }
        return make_multi();
    }
    void give_back(CurlMulti multi) {
        const std::lock_guard lock(mutex);
        handles.push_back(std::move(multi));
    }
};

HttpClient::HttpClient(HttpParams params, ProxyConfig proxies, TlsFor tls_for)
    : m_params(params),
      m_proxies(std::move(proxies)),
      m_tls_for(std::move(tls_for)),
      m_idle(std::make_shared<IdleHandles>()) {}

Result<HttpResponse> HttpClient::run(const HttpRequest& request, BodySink* sink,
                                     long* transport_code) {
    Job job{request, sink, 0};
    auto results = run_all(std::span<Job>(&job, 1));
    if (transport_code != nullptr) *transport_code = job.transport_code;
    return std::move(results.front());
}

std::vector<Result<HttpResponse>> HttpClient::run_all(std::span<Job> jobs, const Watch& watch) {
    std::vector<std::unique_ptr<Transfer>> transfers;
    transfers.reserve(jobs.size());
    for (auto& job : jobs) {
        transfers.push_back(
            std::make_unique<Transfer>(job.request, job.sink, m_params, m_proxies, m_tls_for));
    }
    auto multi = m_idle->take();
    // A stop request wakes the poll below at once.
    const auto wake_up = [&multi] { curl_multi_wakeup(multi.get()); };
    std::optional<std::stop_callback<decltype(wake_up)>> wake;
    wake.emplace(watch.stop, wake_up);
    std::vector<Transfer*> active;
    std::vector<bool> reported(transfers.size(), false);
    const auto limit = static_cast<std::size_t>(std::max(1, m_params.max_concurrent));

    auto is_active = [&](const Transfer* t) {
        return std::find(active.begin(), active.end(), t) != active.end();
    };
    auto report_finished = [&] {
        for (std::size_t i = 0; i < transfers.size(); ++i) {
            if (reported[i] || !transfers[i]->finished()) continue;
            reported[i] = true;
            if (watch.finished) watch.finished(i, transfers[i]->result());
        }
    };
    while (true) {
        if (watch.stop.stop_requested()) {
            for (auto* t : active) curl_multi_remove_handle(multi.get(), t->easy());
            active.clear();
            for (auto& t : transfers)
                if (!t->finished()) t->fail_now(Error{ErrorCode::network, "cancelled"});
            report_finished();
            break;
        }
        const auto now = std::chrono::steady_clock::now();
        auto next_wake = now + std::chrono::seconds(1);
        bool pending = false;
        for (auto& t : transfers) {
            if (t->finished() || is_active(t.get())) continue;
            pending = true;
            if (active.size() >= limit) continue;
            if (t->not_before() > now) {
                next_wake = std::min(next_wake, t->not_before());
                continue;
            }
            CURL* easy = nullptr;
            try {
                easy = t->start();
            } catch (const std::runtime_error& e) {
                t->fail_now(Error{ErrorCode::internal, e.what()});
                continue;
            }
            curl_multi_add_handle(multi.get(), easy);
            active.push_back(t.get());
        }
        report_finished();
        if (active.empty() && !pending) break;

        int running = 0;
        curl_multi_perform(multi.get(), &running);
        int left = 0;
        while (CURLMsg* msg = curl_multi_info_read(multi.get(), &left)) {
            if (msg->msg != CURLMSG_DONE) continue;
            Transfer* t = nullptr;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
            const CURLcode code = msg->data.result;
            curl_multi_remove_handle(multi.get(), msg->easy_handle);
            active.erase(std::find(active.begin(), active.end(), t));
            t->on_done(code);
        }
        report_finished();
        if (active.empty()) {
            bool any_ready = false;
            for (auto& t : transfers) any_ready = any_ready || !t->finished();
            if (!any_ready) break;
        }
        // Waits for data, the next retry, or a stop request (curl_multi_wakeup).
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
            next_wake - std::chrono::steady_clock::now());
        curl_multi_poll(multi.get(), nullptr, 0,
                        static_cast<int>(std::clamp<std::int64_t>(wait.count(), 1, 1000)), nullptr);
    }
    // No stop request reaches the handle once `wake` is gone; a stopped run's half-done
    // connections are not worth keeping.
    wake.reset();
    if (!watch.stop.stop_requested()) m_idle->give_back(std::move(multi));
    std::vector<Result<HttpResponse>> results;
    results.reserve(transfers.size());
    for (std::size_t i = 0; i < transfers.size(); ++i) {
        jobs[i].transport_code = transfers[i]->transport_code();
        results.push_back(transfers[i]->take_result());
    }
    return results;
}

}  // namespace deskext::registry
