#include <catch2/catch.hpp>

#include "registry/url_sanitizer.hpp"

using deskext::registry::sanitize_url;

TEST_CASE("registry: URLs lose user info, queries and fragments before they are shown",
          "[registry]") {
    CHECK(sanitize_url("https://registry.example.com/v2/acme/ext/manifests/1.0") ==
          "https://registry.example.com/v2/acme/ext/manifests/1.0");
    CHECK(sanitize_url("https://user:s3cret@registry.example.com:5000/v2/") ==
          "https://registry.example.com:5000/v2/");
    CHECK(sanitize_url("https://us@er:p@ss@host/x") == "https://host/x");
    CHECK(sanitize_url("https://bucket.s3.amazonaws.com/blob?X-Amz-Signature=abc&X-Amz-Cred=x") ==
          "https://bucket.s3.amazonaws.com/blob");
    CHECK(sanitize_url("http://auth.example.com/token?service=s&scope=repository:a:pull#frag") ==
          "http://auth.example.com/token");
    CHECK(sanitize_url("http://host/path/with@at") == "http://host/path/with@at");
    CHECK(sanitize_url("host:5000/v2/?token=x") == "host:5000/v2/");
}
