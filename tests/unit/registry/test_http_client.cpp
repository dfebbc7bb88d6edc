#include <catch2/catch.hpp>

#include <chrono>

#include "registry/http_client.hpp"
#include "registry/proxy.hpp"

using namespace std::chrono_literals;
using deskext::registry::HttpParams;
using deskext::registry::ProxyConfig;

TEST_CASE("registry: statuses are classified as transient or permanent", "[registry]") {
    using deskext::registry::is_transient_status;
    for (long status : {408L, 429L, 500L, 502L, 503L, 504L}) {
        INFO(status);
        CHECK(is_transient_status(status));
    }
    for (long status : {200L, 206L, 301L, 400L, 401L, 403L, 404L, 416L, 501L, 505L}) {
        INFO(status);
        CHECK_FALSE(is_transient_status(status));
    }
}

TEST_CASE("registry: Retry-After is read as seconds or as an HTTP date", "[registry]") {
    using deskext::registry::parse_retry_after;
    const std::int64_t now = 1445412480;  // Wed, 21 Oct 2015 07:28:00 GMT
    CHECK(parse_retry_after("2", now) == 2s);
    CHECK(parse_retry_after(" 120 ", now) == 120s);
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now) == 30s);
    CHECK(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now) == 0s);  // in the past
    CHECK_FALSE(parse_retry_after("", now).has_value());
    CHECK_FALSE(parse_retry_after("soon", now).has_value());
    CHECK_FALSE(parse_retry_after("-5", now).has_value());
}

TEST_CASE("registry: retry delays back off exponentially and honour Retry-After, capped",
          "[registry]") {
    using deskext::registry::retry_delay;
    HttpParams params;
    params.backoff_initial = 100ms;
    params.backoff_max = 1000ms;
    params.retry_after_max = 5s;
    CHECK(retry_delay(params, 1, std::nullopt) == 100ms);
    CHECK(retry_delay(params, 2, std::nullopt) == 200ms);
    CHECK(retry_delay(params, 3, std::nullopt) == 400ms);
    CHECK(retry_delay(params, 5, std::nullopt) == 1000ms);
    CHECK(retry_delay(params, 1, 2s) == 2000ms);
    CHECK(retry_delay(params, 1, 3600s) == 5000ms);
}

TEST_CASE("registry: url_authority is the lower-case host and port", "[registry]") {
    using deskext::registry::url_authority;
    CHECK(url_authority("https://User:pw@Reg.Example.com:5000/v2/?x") == "reg.example.com:5000");
    CHECK(url_authority("http://127.0.0.1:8080") == "127.0.0.1:8080");
    CHECK(url_authority("http://[::1]:5000/v2/") == "[::1]:5000");
}

TEST_CASE("registry: proxies come from either case of the variables, minus NO_PROXY",
          "[registry]") {
    using deskext::registry::proxy_for;
    ProxyConfig config;
    config.http_proxy = "http://proxy:3128";
    config.https_proxy = "http://sproxy:3128";
    config.no_proxy = "internal.example.com, .corp.example, 10.0.0.0/8, other.example:8443";
    CHECK(proxy_for("http://registry.example.com/v2/", config) == "http://proxy:3128");
    CHECK(proxy_for("https://registry.example.com/v2/", config) == "http://sproxy:3128");
    CHECK(proxy_for("https://internal.example.com/v2/", config).empty());
    CHECK(proxy_for("https://a.internal.example.com/v2/", config).empty());
    CHECK(proxy_for("https://reg.corp.example/v2/", config).empty());
    CHECK(proxy_for("https://10.1.2.3:5000/v2/", config).empty());
    CHECK(proxy_for("https://11.1.2.3:5000/v2/", config) == "http://sproxy:3128");
    CHECK(proxy_for("https://other.example:8443/v2/", config).empty());
    CHECK(proxy_for("https://other.example/v2/", config) == "http://sproxy:3128");
    // Loopback is never proxied (Go's net/http, which Docker uses).
    CHECK(proxy_for("http://127.0.0.1:5000/v2/", config).empty());
    CHECK(proxy_for("http://localhost:5000/v2/", config).empty());
    CHECK(proxy_for("http://[::1]:5000/v2/", config).empty());
    config.no_proxy = "*";
    CHECK(proxy_for("https://registry.example.com/v2/", config).empty());
}

#include "fixtures/scoped_env.hpp"

// [posix]: Windows environment variable names ignore case, so http_proxy is HTTP_PROXY there.
TEST_CASE("registry: proxy variables are read in lower and upper case", "[registry][posix]") {
    using deskext::fixtures::ScopedEnv;
    {
        ScopedEnv a("http_proxy", std::nullopt);
        ScopedEnv b("HTTP_PROXY", "http://upper:1");
        ScopedEnv c("https_proxy", std::nullopt);
        ScopedEnv d("HTTPS_PROXY", "http://upper:2");
        ScopedEnv e("no_proxy", std::nullopt);
        ScopedEnv f("NO_PROXY", "example.org");
        const auto config = ProxyConfig::from_environment();
        CHECK(config.http_proxy == "http://upper:1");
        CHECK(config.https_proxy == "http://upper:2");
        CHECK(config.no_proxy == "example.org");
    }
    {
        ScopedEnv a("http_proxy", "http://lower:1");
        ScopedEnv b("HTTP_PROXY", "http://upper:1");
        ScopedEnv c("https_proxy", "http://lower:2");
        ScopedEnv d("HTTPS_PROXY", std::nullopt);
        ScopedEnv e("no_proxy", "lower.example");
        ScopedEnv f("NO_PROXY", "upper.example");
        const auto config = ProxyConfig::from_environment();
        CHECK(config.http_proxy == "http://lower:1");
        CHECK(config.https_proxy == "http://lower:2");
        CHECK(config.no_proxy == "lower.example");
    }
}
