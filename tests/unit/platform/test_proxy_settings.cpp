// Windows' static proxy settings as text (src/common/proxy_settings.hpp): what WinHTTP's
// lpszProxy and lpszProxyBypass hold, parsed on every OS.

#include <catch2/catch.hpp>

#include <string>

#include "common/proxy_settings.hpp"

using deskext::platform::detail::parse_proxy_list;
using deskext::platform::detail::proxy_bypassed;
using deskext::platform::detail::proxy_for_url;
using deskext::platform::detail::ProxyList;

namespace {

bool same(const ProxyList& list, const std::string& http, const std::string& https) {
    return list.http == http && list.https == https;
}

}  // namespace

TEST_CASE("proxy settings: one host:port serves every scheme", "[platform]") {
    CHECK(same(parse_proxy_list("proxy.corp:3128"), "http://proxy.corp:3128",
               "http://proxy.corp:3128"));
    CHECK(same(parse_proxy_list("10.0.0.1:8080"), "http://10.0.0.1:8080", "http://10.0.0.1:8080"));
    CHECK(
        same(parse_proxy_list("[fd00::1]:8080"), "http://[fd00::1]:8080", "http://[fd00::1]:8080"));
    // WinINet's default port for a proxy given without one.
    CHECK(same(parse_proxy_list("proxy.corp"), "http://proxy.corp:80", "http://proxy.corp:80"));
    // A value with its own scheme keeps it; a trailing slash is dropped.
    CHECK(same(parse_proxy_list("http://proxy.corp:3128/"), "http://proxy.corp:3128",
               "http://proxy.corp:3128"));
    CHECK(same(parse_proxy_list("https://proxy.corp"), "https://proxy.corp:443",
               "https://proxy.corp:443"));
}

TEST_CASE("proxy settings: scheme-specific lists", "[platform]") {
    CHECK(same(parse_proxy_list("http=p1:3128;https=p2:3129"), "http://p1:3128", "http://p2:3129"));
    // Separated by spaces, in either order, with other schemes' entries among them.
    CHECK(same(parse_proxy_list("ftp=f:21 https=p2:3129  http=p1:3128"), "http://p1:3128",
               "http://p2:3129"));
    CHECK(same(parse_proxy_list(" ; http=p1:3128 ;; "), "http://p1:3128", ""));
    CHECK(same(parse_proxy_list("HTTPS=P2:3129"), "", "http://P2:3129"));
    // The first entry of a scheme counts.
    CHECK(same(parse_proxy_list("http=p1:1;http=p9:9"), "http://p1:1", ""));
    // An entry for the scheme wins over one for every scheme, which wins over SOCKS.
    CHECK(same(parse_proxy_list("every:1;https=secure:2"), "http://every:1", "http://secure:2"));
    CHECK(same(parse_proxy_list("socks=s:1080;http=p1:3128"), "http://p1:3128", "socks4://s:1080"));
    CHECK(same(parse_proxy_list("socks=s"), "socks4://s:1080", "socks4://s:1080"));
    CHECK(same(parse_proxy_list("socks=s:9;every:1"), "http://every:1", "http://every:1"));
    // A PAC answer "PROXY a:1; PROXY b:2" comes as a list of hosts: the first is taken.
    CHECK(same(parse_proxy_list("a:1;b:2"), "http://a:1", "http://a:1"));
}

TEST_CASE("proxy settings: empty and garbled settings give no proxy", "[platform]") {
    for (const std::string setting :
         {"", " ", ";;", "=", "http=", "=p:1", "ftp=f:21", "http=p:0", "http=p:65536", "p:12x",
          "p:", ":80", "user@p:80", "http=p:80/path", "gopher://p:70", "[::1", "[]:80", "a b=c"}) {
        INFO(setting);
        const auto list = parse_proxy_list(setting);
        if (setting == "a b=c") {
            // "a" is a host for every scheme; "b=c" is an entry for a scheme nobody asks for.
            CHECK(same(list, "http://a:80", "http://a:80"));
        } else {
            CHECK(same(list, "", ""));
        }
    }
    // One garbled entry does not hide a good one.
    CHECK(same(parse_proxy_list("http=p:x;http=good:1;bad/:2;every:3"), "http://good:1",
               "http://every:3"));
}

TEST_CASE("proxy settings: the entry for a URL's scheme", "[platform]") {
    const auto list = parse_proxy_list("http=p1:1;https=p2:2");
    CHECK(proxy_for_url(list, "https://registry.example/v2/") == "http://p2:2");
    CHECK(proxy_for_url(list, "HTTPS://registry.example/v2/") == "http://p2:2");
    CHECK(proxy_for_url(list, "http://registry.example/v2/") == "http://p1:1");
}

TEST_CASE("proxy settings: bypass list with wildcards and <local>", "[platform]") {
    const std::string list = "*.corp.example;10.*; <local>  registry.internal;.dot.example";
    CHECK(proxy_bypassed("https://a.corp.example/v2/", list));
    CHECK(proxy_bypassed("https://A.B.CORP.example:5000/v2/", list));
    CHECK_FALSE(proxy_bypassed("https://corp.example/v2/", list));  // "*." needs a subdomain
    CHECK(proxy_bypassed("http://10.1.2.3:5000/v2/", list));
    CHECK_FALSE(proxy_bypassed("http://110.1.2.3/v2/", list));
    CHECK(proxy_bypassed("https://registry/v2/", list));  // no dot: <local>
    CHECK(proxy_bypassed("https://user:pw@registry:5000/v2/", list));
    CHECK_FALSE(proxy_bypassed("https://[fe80::1]/v2/", list));  // an address, not a name
    CHECK(proxy_bypassed("https://registry.internal/v2/", list));
    CHECK_FALSE(proxy_bypassed("https://x.registry.internal/v2/", list));
    CHECK(proxy_bypassed("https://a.dot.example/", list));  // ".dot.example" = "*.dot.example"
    CHECK_FALSE(proxy_bypassed("https://registry.example.com/v2/", list));
    CHECK(proxy_bypassed("https://anything.example/", "*"));
    CHECK(proxy_bypassed("https://reg-1.example/", "reg-*.example"));
    CHECK(proxy_bypassed("https://reg.example/", "r*g*.example"));
}

TEST_CASE("proxy settings: bypass entries with a port or a scheme", "[platform]") {
    CHECK(proxy_bypassed("https://reg.example:5000/v2/", "reg.example:5000"));
    CHECK_FALSE(proxy_bypassed("https://reg.example/v2/", "reg.example:5000"));
    CHECK(proxy_bypassed("https://reg.example/v2/", "reg.example:443"));
    CHECK(proxy_bypassed("http://reg.example/v2/", "*.example:80"));
    CHECK(proxy_bypassed("https://reg.example/v2/", "https://reg.example"));
    CHECK_FALSE(proxy_bypassed("http://reg.example/v2/", "https://reg.example"));
    CHECK(proxy_bypassed("https://[fd00::1]:5000/v2/", "[fd00::1]:5000"));
    CHECK(proxy_bypassed("https://[fd00::1]/v2/", "[fd00::*]"));
}

TEST_CASE("proxy settings: empty and garbled bypass lists bypass nothing", "[platform]") {
    for (const std::string list : {"", " ; ", ";;", ":80", "<", "<localhost>", "https://"}) {
        INFO(list);
        CHECK_FALSE(proxy_bypassed("https://registry.example/v2/", list));
        CHECK_FALSE(proxy_bypassed("https://registry/v2/", list));
    }
}
