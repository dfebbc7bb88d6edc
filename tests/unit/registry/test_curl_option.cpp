// Every libcurl option goes through set_option: one libcurl refuses fails naming it.

#include "registry/curl_option.hpp"

#include <catch2/catch.hpp>

#include "registry/curl_handles.hpp"

using deskext::ErrorCode;
using deskext::registry::make_easy;
using deskext::registry::set_option;

TEST_CASE("registry: a libcurl option refused is an error naming the option", "[registry]") {
    auto easy = make_easy();
    CHECK(set_option(easy.get(), CURLOPT_TIMEOUT_MS, 1000L));
    CHECK(set_option(easy.get(), CURLOPT_URL, "http://127.0.0.1:1/v2/"));

    auto refused = set_option(easy.get(), CURLOPT_SSLVERSION, 999L);  // no such TLS version
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::network);
    CHECK_THAT(refused.error().message,
               Catch::StartsWith("libcurl refused CURLOPT_SSLVERSION: ") &&
                   Catch::Contains(curl_easy_strerror(CURLE_BAD_FUNCTION_ARGUMENT)));
}
