#include "registry/transfer.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include <fmt/format.h>

#include "deskext/ascii.hpp"
#include "registry/curl_option.hpp"
#include "registry/proxy_options.hpp"
#include "registry/request_options.hpp"
#include "registry/tls_options.hpp"
#include "registry/url_sanitizer.hpp"

namespace deskext::registry {

Transfer::Transfer(const HttpRequest& request, BodySink* sink, const HttpParams& params,
                   const ProxyConfig& proxies, const HttpClient::TlsFor& tls_for)
    : m_request(request),
      m_sink(sink),
      m_params(params),
      m_proxies(proxies),
      m_tls_for(tls_for),
      m_attempts(params, request.max_attempts, request.resumable),
      m_redirects(request.url, params.max_redirects),
      m_resume(request.resumable, sink) {}

void Transfer::reset_step() {
    m_easy = make_easy();
    m_headers = CurlSlist();
    m_response = HttpResponse{};
    m_response.url = m_redirects.url();
    m_body_ok = false;
    m_sink_error.reset();
    m_header_bytes = 0;
    m_unread_body_bytes = 0;
    m_unread_body_cut = false;
}

Result<CURL*> Transfer::start() {
    reset_step();
    const auto& url = m_redirects.url();
    if (auto configured = configure(m_easy.get(), url); !configured) {
        return std::unexpected(std::move(configured).error().context(sanitize_url(url)));
    }
    return m_easy.get();
}

Result<void> Transfer::configure(CURL* e, const std::string& url) {
    DESKEXT_TRY(set_connection_options(e, url, m_attempts.timeout_ms(), m_params));
    DESKEXT_TRY(set_response_callbacks(e, &Transfer::on_header, &Transfer::on_body, this));
    m_proxy = proxy_for(url, m_proxies);
    DESKEXT_TRY(set_proxy_options(e, m_proxy));
    DESKEXT_TRY_ASSIGN(const auto tls, m_tls_for(url_authority(url)));
    DESKEXT_TRY(set_tls_options(e, tls, m_ca_bundle));
    set_headers(m_headers);
    DESKEXT_TRY(set_method_options(e, m_request, m_headers));
    return set_option(e, CURLOPT_HTTPHEADER, m_headers.get());
}

void Transfer::set_headers(CurlSlist& headers) {
    for (const auto& h : m_request.headers) headers.append(h.c_str());
    // Authorization only ever goes to the host the request was made for.
    if (!m_request.authorization.empty() && m_redirects.at_origin()) {
        m_auth_line = "Authorization: " + m_request.authorization;
        headers.append(m_auth_line.c_str());
    }
    m_range_line = m_resume.start_attempt();
    if (!m_range_line.empty()) headers.append(m_range_line.c_str());
}

void Transfer::on_done(CURLcode code) {
    const auto where = sanitize_url(m_redirects.url());
    if (auto refused = refusal(where)) {
        finish(std::unexpected(std::move(*refused)));
        return;
    }
    // The part of a body nobody reads that was worth keeping has arrived: the answer is
    // complete as far as deskext is concerned.
    if (m_unread_body_cut) code = CURLE_OK;
    if (code == CURLE_OPERATION_TIMEDOUT && !m_request.resumable) {
        finish(std::unexpected(m_attempts.out_of_time(where)));
        return;
    }
    if (m_resume.wrong_offset()) {
        m_resume.ask_for_whole_body();
        retry_or_fail(std::nullopt,
                      fmt::format("{}: the server resumed at the wrong offset", where));
        return;
    }
    if (auto refused = proxy_refusal(m_easy.get(), code, m_response.status, m_proxy,
                                     m_redirects.url(), m_proxies)) {
        finish(fail(ErrorCode::network, *refused));
        return;
    }
    if (code != CURLE_OK) {
        on_transport_error(code, where);
        return;
    }
    on_answer();
}

// What ends the request whatever libcurl says: what the sink refused, endless headers.
std::optional<Error> Transfer::refusal(const std::string& where) {
    if (m_sink_error) return std::move(*m_sink_error);
    if (m_header_bytes > m_params.max_header_bytes) {
        return Error{ErrorCode::network,
                     fmt::format("{} sent more than {} KiB of response headers", where,
                                 m_params.max_header_bytes / 1024)};
    }
    return std::nullopt;
}

void Transfer::on_transport_error(CURLcode code, const std::string& where) {
    m_transport_code = static_cast<long>(code);
    const std::string why = fmt::format("{}: {}", where, curl_easy_strerror(code));
    if (!is_transient_curl(m_transport_code)) {
        finish(fail(ErrorCode::network, why));
        return;
    }
    // A cut after body bytes arrived is resumed; it does not use up an attempt when the
    // attempt made progress, within a bound.
    if (m_resume.continue_after_cut()) {
        m_not_before = std::chrono::steady_clock::now();
        return;
    }
    retry_or_fail(std::nullopt, why);
}

// A complete answer: followed when a redirect, tried again when transient, else the result.
void Transfer::on_answer() {
    const long status = m_response.status;
    if (is_redirect(status)) {
        auto followed = m_redirects.follow(status, m_response.header("location"));
        if (!followed) {
            finish(std::unexpected(std::move(followed).error()));
            return;
        }
        m_not_before = std::chrono::steady_clock::now();
        return;
    }
    if (is_transient_status(status)) {
        const auto retry_after =
            parse_retry_after(m_response.header("retry-after"), std::time(nullptr));
        retry_or_fail(retry_after,
                      fmt::format("{} answered {}", sanitize_url(m_redirects.url()), status));
        return;
    }
    finish(std::move(m_response));
}

void Transfer::finish(Result<HttpResponse> result) {
    m_result = std::move(result);
    m_easy.reset();
}

void Transfer::retry_or_fail(std::optional<std::chrono::seconds> retry_after,
                             const std::string& why) {
    auto next = m_attempts.after_failure(retry_after, why);
    if (!next) {
        finish(std::unexpected(std::move(next).error()));
        return;
    }
    m_redirects.restart();
    m_not_before = *next;
}

std::size_t Transfer::on_header(char* data, std::size_t size, std::size_t count, void* self_ptr) {
    auto* self = static_cast<Transfer*>(self_ptr);
    self->m_header_bytes += size * count;
    if (self->m_header_bytes > self->m_params.max_header_bytes) return 0;
    std::string_view line(data, size * count);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    auto& response = self->m_response;
    if (line.starts_with("HTTP/")) {
        response.headers.clear();
        const auto space = line.find(' ');
        response.status = space == std::string_view::npos
                              ? 0
                              : std::atol(std::string(line.substr(space + 1, 3)).c_str());
        return size * count;
    }
    if (line.empty()) {
        if (response.status >= 200 && response.status < 300 && !self->begin_body()) return 0;
        return size * count;
    }
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        auto value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.remove_prefix(1);
        response.headers.emplace_back(ascii_lower(line.substr(0, colon)), std::string(value));
    }
    return size * count;
}

// At the end of a 2xx header block: checks a resumed response and readies the sink.
bool Transfer::begin_body() {
    m_body_ok = true;
    auto ready = m_resume.begin_body(m_response.status, m_response.header("content-range"));
    if (!ready) {
        m_sink_error = std::move(ready).error();
        return false;
    }
    return *ready;
}

std::size_t Transfer::on_body(char* data, std::size_t size, std::size_t count, void* self_ptr) {
    auto* self = static_cast<Transfer*>(self_ptr);
    const std::string_view chunk(data, size * count);
    if (!self->m_body_ok || self->m_sink == nullptr) return self->keep_unread_body(chunk);
    auto written = self->m_sink->write(chunk);
    if (!written) {
        self->m_sink_error = std::move(written).error();
        return 0;
    }
    self->m_resume.received(chunk.size());
    return chunk.size();
}

// A body nobody reads: the start of an error's is kept for messages, and no more than that is
// waited for.
std::size_t Transfer::keep_unread_body(std::string_view chunk) {
    const auto cap = m_params.max_error_body;
    const auto room = cap - std::min(cap, m_unread_body_bytes);
    const auto kept = chunk.substr(0, room);
    m_unread_body_bytes += kept.size();
    if (!m_body_ok) m_response.error_body.append(kept);
    if (chunk.size() > room) {
        m_unread_body_cut = true;
        return 0;
    }
    return chunk.size();
}

}  // namespace deskext::registry
