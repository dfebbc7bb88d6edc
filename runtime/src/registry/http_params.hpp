#pragma once
// The settings of the HTTP layer: its limits, and TLS per host.

#include <chrono>
#include <cstddef>
#include <string>

namespace deskext::registry {

// Every limit of the HTTP layer, in one place.
struct HttpParams {
    long connect_timeout_seconds = 15;
    // A transfer slower than low_speed_bytes per second for low_speed_seconds is cut (transient).
    long low_speed_bytes = 1024;
    long low_speed_seconds = 30;
    // Every request ends within request_timeout, its retries included (--timeout). A blob's
    // body (a resumable request) may be large: each of its attempts gets blob_timeout_factor
    // times as long, and a cut one resumes where it stopped (at most 10 times).
    std::chrono::seconds request_timeout{60};
    int blob_timeout_factor = 5;
    // More response headers than this (a server that never ends them) fail the request.
    std::size_t max_header_bytes = 64 * 1024;
    int max_attempts = 5;  // per request, counting the first
    std::chrono::milliseconds backoff_initial{250};
    std::chrono::milliseconds backoff_max{8000};
    std::chrono::seconds retry_after_max{30};  // a longer Retry-After is capped to this
    int max_redirects = 5;
    int max_concurrent = 4;
    // A body nobody reads (an error's, a redirect's, a probe's) is read this far, kept for
    // messages, and the rest is not waited for.
    std::size_t max_error_body = 64 * 1024;
};

// TLS for one host (docs/registry.md, "TLS").
struct TlsSettings {
    bool verify = true;
    std::string extra_ca_pem;  // certs.d/<host>/*.crt, trusted on top of the system CAs
    std::string client_cert;   // paths of a PEM pair from certs.d/<host>/
    std::string client_key;
};

}  // namespace deskext::registry
