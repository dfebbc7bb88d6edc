#pragma once
// The HTTP side of the registry client, over libcurl's multi interface: GETs (and the token
// POST) with retries and back-off, manual redirects that never carry Authorization to another
// host, resume with Range, per-host TLS and proxies. Responses other than 2xx/3xx/transient are
// handed back to the caller (401 drives auth, 404 means not found).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "deskext/error.hpp"
#include "registry/http_params.hpp"
#include "registry/proxy.hpp"
#include "registry/redirects.hpp"
#include "registry/retry_policy.hpp"

namespace deskext::registry {

// Where a body goes. `restart` is called when a resumed transfer must start over (the server
// ignored Range); `size` is how much was accepted so far (the next Range start).
class BodySink {
public:
    virtual ~BodySink() = default;
    [[nodiscard]] virtual Result<void> write(std::string_view chunk) = 0;
    [[nodiscard]] virtual Result<void> restart() = 0;
    [[nodiscard]] virtual std::int64_t size() const = 0;
};

// Collects a body in memory up to a cap (manifests, tokens).
class StringSink final : public BodySink {
public:
    StringSink(std::size_t cap, std::string what) : m_cap(cap), m_what(std::move(what)) {}
    [[nodiscard]] Result<void> write(std::string_view chunk) override;
    [[nodiscard]] Result<void> restart() override;
    [[nodiscard]] std::int64_t size() const override {
        return static_cast<std::int64_t>(m_data.size());
    }
    [[nodiscard]] std::string take() { return std::move(m_data); }

private:
    std::size_t m_cap;
    std::string m_what;
    std::string m_data;
};

struct HttpRequest {
    std::string method = "GET";  // GET, HEAD or POST
    std::string url;
    std::vector<std::string> headers;  // "Name: value"; never secrets
    // The Authorization header's value ("Bearer …", "Basic …"). Sent to the host of `url` only,
    // never to the target of a redirect to another host.
    std::string authorization;
    std::string body;        // POST body
    bool resumable = false;  // after a cut, continue with Range: bytes=N-
    int max_attempts = 0;    // 0: HttpParams::max_attempts (1 for probes)
};

struct HttpResponse {
    long status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-case, in order
    std::string url;         // the URL that answered (after redirects); sanitise before showing
    std::string error_body;  // the start of a non-2xx body

    // The last value of a header, or "".
    [[nodiscard]] std::string header(std::string_view lower_name) const;
    [[nodiscard]] std::vector<std::string> headers_named(std::string_view lower_name) const;
};

class HttpClient {
public:
    // TLS for a host; an error fails the request about to go there.
    using TlsFor = std::function<Result<TlsSettings>(const std::string& authority)>;
    HttpClient(HttpParams params, ProxyConfig proxies, TlsFor tls_for);

    struct Job {
        HttpRequest request;
        BodySink* sink = nullptr;  // the 2xx body; null to discard
        long transport_code = 0;   // out: libcurl's code of the last failed step (0: none)
    };

    // Runs one request to its end. An Error for transport failures and transient statuses that
    // outlived the retries (ErrorCode::network), or for what the sink refused; otherwise the
    // final response, whatever its status.
    [[nodiscard]] Result<HttpResponse> run(const HttpRequest& request, BodySink* sink,
                                           long* transport_code = nullptr);

    // What a caller of run_all may follow while the requests run (from the calling thread).
    struct Watch {
        // Called once per job as soon as it has its final result (the same run_all returns),
        // so that a body can be used before the other transfers end.
        std::function<void(std::size_t job, const Result<HttpResponse>& result)> finished;
        // Once stop is requested, the transfers still running or waiting are abandoned
        // (ErrorCode::network, "cancelled").
        std::stop_token stop;
    };

    // Runs several requests at once, at most params.max_concurrent in flight; one result each,
    // in order.
    [[nodiscard]] std::vector<Result<HttpResponse>> run_all(std::span<Job> jobs,
                                                            const Watch& watch = {});

    [[nodiscard]] const HttpParams& params() const { return m_params; }

private:
    // libcurl multi handles between calls, with the connections they keep open: a later call
    // (the next manifest, the blob downloads) reuses a connection, and its TLS session, instead
    // of opening another. One call uses a handle at a time; copies of the client share them.
    struct IdleHandles;
    HttpParams m_params;
    ProxyConfig m_proxies;
    TlsFor m_tls_for;
    std::shared_ptr<IdleHandles> m_idle;
};

}  // namespace deskext::registry
