#pragma once
// One request of HttpClient through its attempts, redirects and resumes: a small state machine
// whose steps are libcurl easy transfers, run by HttpClient::run_all on its multi handle.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "registry/curl_handles.hpp"
#include "registry/http_client.hpp"
#include "registry/resume.hpp"

namespace deskext::registry {

class Transfer {
public:
    Transfer(const HttpRequest& request, BodySink* sink, const HttpParams& params,
             const ProxyConfig& proxies, const HttpClient::TlsFor& tls_for);

    [[nodiscard]] bool finished() const { return m_result.has_value(); }
    // When the next step may start (a retry's back-off).
    [[nodiscard]] std::chrono::steady_clock::time_point not_before() const { return m_not_before; }
    [[nodiscard]] const Result<HttpResponse>& result() const { return *m_result; }
    [[nodiscard]] CURL* easy() const { return m_easy.get(); }
    [[nodiscard]] Result<HttpResponse> take_result() { return std::move(*m_result); }
    // libcurl's code of the last failed step (0: none).
    [[nodiscard]] long transport_code() const { return m_transport_code; }

    // A fresh easy handle for the next step; an option libcurl refused ends the request.
    [[nodiscard]] Result<CURL*> start();
    // Decides what the finished step means: done, retry later, or follow a redirect.
    void on_done(CURLcode code);
    void fail_now(Error error) { finish(std::unexpected(std::move(error))); }

private:
    void reset_step();
    [[nodiscard]] Result<void> configure(CURL* easy, const std::string& url);
    void set_headers(CurlSlist& headers);
    [[nodiscard]] std::optional<Error> refusal(const std::string& where);
    void on_transport_error(CURLcode code, const std::string& where);
    void on_answer();
    void finish(Result<HttpResponse> result);
    void retry_or_fail(std::optional<std::chrono::seconds> retry_after, const std::string& why);

    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self_ptr);
    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self_ptr);
    [[nodiscard]] bool begin_body();
    [[nodiscard]] std::size_t keep_unread_body(std::string_view chunk);

    const HttpRequest& m_request;
    BodySink* m_sink;
    const HttpParams& m_params;
    const ProxyConfig& m_proxies;
    const HttpClient::TlsFor& m_tls_for;
    Attempts m_attempts;
    Redirects m_redirects;
    Resume m_resume;
    std::string m_proxy;  // of the current step; "" when direct

    // Of the current step; libcurl reads the strings and the header list until it ends.
    CurlEasy m_easy;
    CurlSlist m_headers;
    std::string m_auth_line;
    std::string m_range_line;
    std::string m_ca_bundle;
    HttpResponse m_response;
    bool m_body_ok = false;
    std::optional<Error> m_sink_error;
    std::size_t m_header_bytes = 0;
    std::size_t m_unread_body_bytes = 0;  // of the body nobody reads
    bool m_unread_body_cut = false;

    long m_transport_code = 0;
    std::chrono::steady_clock::time_point m_not_before{};
    std::optional<Result<HttpResponse>> m_result;
};

}  // namespace deskext::registry
