#include "registry/request_options.hpp"

#include "registry/curl_option.hpp"

namespace deskext::registry {
namespace {

constexpr long k_receive_buffer = 512L * 1024;

}  // namespace

Result<void> set_connection_options(CURL* easy, const std::string& url, long timeout_ms,
                                    const HttpParams& params) {
    DESKEXT_TRY(set_option(easy, CURLOPT_TIMEOUT_MS, timeout_ms));
    DESKEXT_TRY(set_option(easy, CURLOPT_URL, url.c_str()));
    DESKEXT_TRY(set_option(easy, CURLOPT_NOSIGNAL, 1L));
    DESKEXT_TRY(set_option(easy, CURLOPT_FOLLOWLOCATION, 0L));
    DESKEXT_TRY(set_option(easy, CURLOPT_UNRESTRICTED_AUTH, 0L));
    DESKEXT_TRY(set_option(easy, CURLOPT_PROTOCOLS_STR, "http,https"));
    DESKEXT_TRY(set_option(easy, CURLOPT_CONNECTTIMEOUT, params.connect_timeout_seconds));
    DESKEXT_TRY(set_option(easy, CURLOPT_LOW_SPEED_LIMIT, params.low_speed_bytes));
    DESKEXT_TRY(set_option(easy, CURLOPT_LOW_SPEED_TIME, params.low_speed_seconds));
    DESKEXT_TRY(set_option(easy, CURLOPT_USERAGENT, "deskext"));
    // Digests are over the raw bytes: no Accept-Encoding, nothing decoded.
    DESKEXT_TRY(set_option(easy, CURLOPT_ACCEPT_ENCODING, nullptr));
    return {};
}

Result<void> set_method_options(CURL* easy, const HttpRequest& request, CurlSlist& headers) {
    if (request.method == "POST") {
        DESKEXT_TRY(set_option(easy, CURLOPT_POST, 1L));
        DESKEXT_TRY(set_option(easy, CURLOPT_POSTFIELDS, request.body.c_str()));
        DESKEXT_TRY(
            set_option(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(request.body.size())));
        headers.append("Expect:");
    } else if (request.method == "HEAD") {
        DESKEXT_TRY(set_option(easy, CURLOPT_NOBODY, 1L));
    }
    return {};
}

Result<void> set_response_callbacks(CURL* easy, curl_write_callback on_header,
                                    curl_write_callback on_body, void* data) {
    DESKEXT_TRY(set_option(easy, CURLOPT_HEADERFUNCTION, on_header));
    DESKEXT_TRY(set_option(easy, CURLOPT_HEADERDATA, data));
    // Blobs arrive in large pieces: fewer calls to write them into the cache and to wake the
    // layer being read from them.
    DESKEXT_TRY(set_option(easy, CURLOPT_BUFFERSIZE, k_receive_buffer));
    DESKEXT_TRY(set_option(easy, CURLOPT_WRITEFUNCTION, on_body));
    DESKEXT_TRY(set_option(easy, CURLOPT_WRITEDATA, data));
    DESKEXT_TRY(set_option(easy, CURLOPT_PRIVATE, data));
    return {};
}

}  // namespace deskext::registry
