#pragma once
// The options of one attempt that are neither TLS nor proxy: where it goes and how long it may
// take, its method and body, its headers, and the callbacks that take the answer.

#include <curl/curl.h>

#include <string>

#include "deskext/error.hpp"
#include "registry/curl_handles.hpp"
#include "registry/http_client.hpp"

namespace deskext::registry {

// The URL, the time limits, and what libcurl must not do by itself: follow redirects (deskext
// does: registry/redirects.hpp), speak anything but HTTP(S), decode bodies.
[[nodiscard]] Result<void> set_connection_options(CURL* easy, const std::string& url,
                                                  long timeout_ms, const HttpParams& params);

// GET, HEAD or POST with its body; a POST adds a header line to `headers`.
[[nodiscard]] Result<void> set_method_options(CURL* easy, const HttpRequest& request,
                                              CurlSlist& headers);

// Where the answer's header lines and body go; `data` is handed to both, and is the handle's
// CURLINFO_PRIVATE.
[[nodiscard]] Result<void> set_response_callbacks(CURL* easy, curl_write_callback on_header,
                                                  curl_write_callback on_body, void* data);

}  // namespace deskext::registry
