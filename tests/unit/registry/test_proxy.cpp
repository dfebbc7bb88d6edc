// The proxy for a request (registry/proxy.hpp): the environment first, the system's settings
// (Windows') only when the environment names no proxy.

#include <catch2/catch.hpp>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fixtures/scoped_env.hpp"
#include "registry/proxy.hpp"

using deskext::fixtures::ScopedEnv;
using deskext::registry::once_per_host;
using deskext::registry::proxy_credentials_hint;
using deskext::registry::proxy_for;
using deskext::registry::ProxyConfig;

namespace {

// A system whose settings send everything through one proxy, counting the questions.
ProxyConfig::SystemLookup counting_system(std::vector<std::string>& asked) {
    return [&asked](std::string_view url) -> std::optional<std::string> {
        asked.emplace_back(url);
        if (url.find("direct.example") != std::string_view::npos) return std::nullopt;
        return "http://system-proxy:8080";
    };
}

}  // namespace

TEST_CASE("proxy: the system's settings decide when the environment names no proxy", "[registry]") {
    std::vector<std::string> asked;
    ProxyConfig config;
    config.system = counting_system(asked);
    CHECK(proxy_for("https://registry.example/v2/", config) == "http://system-proxy:8080");
    CHECK(proxy_for("http://registry.example/v2/", config) == "http://system-proxy:8080");
    CHECK(proxy_for("https://direct.example/v2/", config).empty());
    CHECK(asked.size() == 3);
    // Loopback and NO_PROXY are settled before the system is asked.
    config.no_proxy = ".internal.example";
    CHECK(proxy_for("https://127.0.0.1:5000/v2/", config).empty());
    CHECK(proxy_for("https://localhost:5000/v2/", config).empty());
    CHECK(proxy_for("https://reg.internal.example/v2/", config).empty());
    CHECK(asked.size() == 3);
    CHECK(proxy_credentials_hint("https://registry.example/v2/", config)
              .find("system's proxy settings") != std::string::npos);
}

TEST_CASE("proxy: with HTTP_PROXY or HTTPS_PROXY set the system is not asked", "[registry]") {
    std::vector<std::string> asked;
    ProxyConfig config;
    config.system = counting_system(asked);
    config.https_proxy = "http://env-proxy:3128";
    CHECK(proxy_for("https://registry.example/v2/", config) == "http://env-proxy:3128");
    // The environment has settings: a scheme it gives no proxy for goes direct.
    CHECK(proxy_for("http://registry.example/v2/", config).empty());
    CHECK(asked.empty());
    CHECK(proxy_credentials_hint("https://registry.example/v2/", config) ==
          "check the user and password in HTTPS_PROXY");
    CHECK(proxy_credentials_hint("http://registry.example/v2/", config) ==
          "check the user and password in HTTP_PROXY");
}

TEST_CASE("proxy: no system lookup means direct", "[registry]") {
    const ProxyConfig config;
    CHECK(proxy_for("https://registry.example/v2/", config).empty());
}

TEST_CASE("proxy: the system is asked once per scheme and host", "[registry]") {
    std::vector<std::string> asked;
    const auto lookup = once_per_host(counting_system(asked));
    CHECK(lookup("https://registry.example/v2/a") == "http://system-proxy:8080");
    CHECK(lookup("https://registry.example/v2/b") == "http://system-proxy:8080");
    CHECK(lookup("https://REGISTRY.example:443/v2/c").has_value());  // another authority
    CHECK_FALSE(lookup("https://direct.example/v2/").has_value());
    CHECK_FALSE(lookup("https://direct.example/v2/again").has_value());
    CHECK(lookup("http://registry.example/v2/") == "http://system-proxy:8080");
    const auto copy = lookup;  // copies share the answers
    CHECK(copy("http://registry.example/v2/other") == "http://system-proxy:8080");
    CHECK(asked == std::vector<std::string>{
                       "https://registry.example/v2/a", "https://REGISTRY.example:443/v2/c",
                       "https://direct.example/v2/", "http://registry.example/v2/"});
}

TEST_CASE("proxy: concurrent requests to one host ask the system once", "[registry]") {
    std::atomic<int> asked{0};
    const auto lookup = once_per_host([&asked](std::string_view) -> std::optional<std::string> {
        ++asked;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return "http://p:1";
    });
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i)
        threads.emplace_back(
            [&lookup] { CHECK(lookup("https://cdn.example/blob") == "http://p:1"); });
    for (auto& thread : threads) thread.join();
    CHECK(asked == 1);
}

TEST_CASE("proxy: the environment is read once, the system only without proxies in it",
          "[registry]") {
    ScopedEnv a("http_proxy", std::nullopt);
    ScopedEnv b("HTTP_PROXY", std::nullopt);
    ScopedEnv c("https_proxy", std::nullopt);
    ScopedEnv d("HTTPS_PROXY", std::nullopt);
    ScopedEnv e("no_proxy", std::nullopt);
    ScopedEnv f("NO_PROXY", "corp.example");
    {
        const auto config = ProxyConfig::from_environment();
        CHECK(config.system);  // NO_PROXY alone names no proxy
        CHECK(config.no_proxy == "corp.example");
        // On Linux and macOS the system's settings are the environment: direct.
        CHECK(proxy_for("https://registry.example/v2/", config).empty());
    }
    ScopedEnv g("HTTPS_PROXY", "http://env:3128");
    const auto config = ProxyConfig::from_environment();
    CHECK_FALSE(config.system);
    CHECK(proxy_for("https://registry.example/v2/", config) == "http://env:3128");
}
