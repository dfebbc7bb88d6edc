#pragma once
// Every libcurl option deskext sets goes through set_option, so that an option libcurl refuses
// (one its build lacks, a TLS back end without client certificates, no memory) fails the request
// naming the option, instead of the request going out without it.

#include <curl/curl.h>

#include "deskext/error.hpp"

namespace deskext::registry {

// ErrorCode::network: the request cannot be made as asked. "libcurl refused CURLOPT_X: why".
[[nodiscard]] Error option_refused(CURLoption option, CURLcode code);

template <typename Value>
[[nodiscard]] Result<void> set_option(CURL* easy, CURLoption option, Value value) {
    const CURLcode code = curl_easy_setopt(easy, option, value);
    if (code != CURLE_OK) return std::unexpected(option_refused(option, code));
    return {};
}

}  // namespace deskext::registry
