// The real deskext binary pulling through a real forward proxy (squid, started by
// tests/fixtures/forward_proxy.hpp) from a real registry. The registry is named
// registry.deskext.test, which only the proxy resolves (to 127.0.0.1), so a pull can only
// succeed through the proxy: loopback addresses are never proxied, as Docker does, so naming
// the registry 127.0.0.1 would test nothing. The proxy requires credentials, given in the
// proxy URL; neither they nor the registry's appear in any output.

#include <catch2/catch.hpp>

#include <fstream>

#include "extension_fixture.hpp"
#include "fixtures/background_process.hpp"
#include "fixtures/forward_proxy.hpp"
#include "fixtures/log_text.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using fixtures::base64;
using fixtures::count_containing;
using fixtures::joined;
using fixtures::since;
using namespace deskext::testing;
namespace fs = std::filesystem;

namespace {

const std::string repo = "acme/tool-ext";
const std::string name = "registry.deskext.test";
const std::string registry_user = "alice";
const std::string registry_password = "reg-pw-51d2e0c7-never-print";
const std::string proxy_user = "proxy-user";
// '@' and ':' must be percent-encoded in the URL and decoded before they are sent.
const std::string proxy_password = "px@pw:7a4c19e3-never-print";

std::string port_of(const std::string& host) { return host.substr(host.rfind(':') + 1); }

// The proxy's log from line `start` on, once it holds `needle`: squid logs a request when it
// ends, a CONNECT tunnel when it closes, so shortly after deskext exits.
std::vector<std::string> proxy_log_with(const fixtures::ForwardProxy& proxy, std::size_t start,
                                        const std::string& needle) {
    for (int waited = 0; waited < 3000; waited += 50) {
        if (count_containing(since(proxy.requests(), start), needle) > 0) break;
        fixtures::sleep_ms(50);
    }
    return since(proxy.requests(), start);
}

// A home with registry credentials for registry.deskext.test:PORT, a root and a cache.
struct Client {
    fixtures::TempDir home{"deskext-proxy-home-"};
    std::string authority;  // registry.deskext.test:PORT

    explicit Client(std::string registry_authority) : authority(std::move(registry_authority)) {
        fs::create_directories(home / ".docker");
        const nlohmann::json config = {
            {"auths", {{authority, {{"auth", base64(registry_user + ":" + registry_password)}}}}}};
        std::ofstream(home / ".docker" / "config.json") << config.dump(2);
    }

    // Every proxy variable is set (empty unless given), so the caller's environment never
    // leaks in.
    [[nodiscard]] Run install(const std::map<std::string, std::string>& proxy_env,
                              std::vector<std::string> extra_args = {},
                              const std::string& root_name = "root") const {
        std::map<std::string, std::string> env{{"DOCKER_CONFIG", (home / ".docker").string()},
                                               {"DESKEXT_CACHE_DIR", (home / "cache").string()},
                                               {"DESKEXT_CERTS_D", (home / "certs.d").string()}};
        for (const char* v : {"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "http_proxy",
                              "https_proxy", "no_proxy", "all_proxy"})
            env[v] = "";
        for (const auto& [k, v] : proxy_env) env[k] = v;
        std::vector<std::string> args{
            "install", authority + "/" + repo + ":1.0.0", "--platform", "linux/amd64",
            "--root",  (home / root_name).string(),       "--json"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return run_deskext(args, home.path(), env);
    }
};

// No credential of the registry or the proxy, in any encoding, in anything deskext printed.
void check_no_secrets(const Run& run) {
    const std::string all = run.out + run.err;
    for (const auto& secret :
         {registry_password, base64(registry_user + ":" + registry_password), proxy_password,
          std::string("px%40pw"), base64(proxy_user + ":" + proxy_password), proxy_user}) {
        CHECK(all.find(secret) == std::string::npos);
    }
    CHECK(all.find("Authorization") == std::string::npos);
}

// No extension in `root` (which may not exist).
bool nothing_installed(const fs::path& root) {
    if (!fs::exists(root)) return true;
    for (const auto& entry : fs::directory_iterator(root))
        if (fs::exists(entry.path() / "metadata.json")) return false;
    return true;
}

// The proxy refused the credentials given with `password_suffix` appended to the password (407):
// exit 6 with a message naming the proxy and the status, never the password, nothing installed.
void check_refused_by_proxy(const Run& run, const fixtures::ForwardProxy& proxy,
                            const fs::path& root, const std::string& password_suffix) {
    INFO(run.err << run.out);
    CHECK(run.exit_code == 6);
    REQUIRE(!run.events.empty());
    CHECK(run.last()["code"] == "network");
    const auto message = run.last()["message"].get<std::string>();
    CHECK_THAT(message, Catch::Contains("407"));
    CHECK_THAT(message, Catch::Contains(proxy.url()));
    CHECK(message.find(password_suffix) == std::string::npos);
    check_no_secrets(run);
    CHECK(nothing_installed(root));
}

void check_installed(const fs::path& root, const Run& run) {
    REQUIRE(run.exit_code == 0);
    REQUIRE(run.last()["event"] == "result");
    const auto ext = root / run.last()["name"].get<std::string>();
    CHECK(slurp(ext / "metadata.json") == tool_metadata());
    CHECK(slurp(ext / "host" / "tool") == tool_bytes("linux", "amd64"));
}

// The test extension pushed to a registry (TLS or not) with htpasswd users, and a proxy that
// knows it as registry.deskext.test.
struct Setup {
    fixtures::TempDir dir{"deskext-proxy-"};
    std::unique_ptr<fixtures::TestRegistry> registry;
    std::unique_ptr<fixtures::ForwardProxy> proxy;
    std::string authority;

    explicit Setup(bool tls) {
        const auto layout = dir / "layout";
        fixtures::write_multi_arch_image(layout, "1.0.0", tool_extension_variants("1.0.0"));
        fixtures::RegistryOptions options;
        options.tls = tls;
        options.tls_names = {name};
        options.htpasswd = {{registry_user, registry_password}};
        registry = std::make_unique<fixtures::TestRegistry>(dir / "registry", options);
        registry->push(layout, "1.0.0", repo + ":1.0.0");
        authority = name + ":" + port_of(registry->host());
        proxy = std::make_unique<fixtures::ForwardProxy>(
            fixtures::ForwardProxyOptions{{{name, "127.0.0.1"}}, {{proxy_user, proxy_password}}});
    }
};

// One of each per test process: sections share them, and look at the proxy's log from where it
// stood when they began.
Setup& shared_setup(bool tls) {
    if (tls) {
        static Setup with_tls(true);
        return with_tls;
    }
    static Setup plain(false);
    return plain;
}

}  // namespace

TEST_CASE("registry proxy: HTTP_PROXY carries the pull from a plain-HTTP registry",
          "[integration][registry][proxy]") {
    auto& setup = shared_setup(false);
    const auto log_start = setup.proxy->requests().size();
    Client client(setup.authority);
    const auto proxy_url = setup.proxy->url_with(proxy_user, proxy_password);
    const std::vector<std::string> insecure{"--insecure-registry", setup.authority};

    SECTION("through the proxy, with its credentials from the URL") {
        auto run = client.install({{"HTTP_PROXY", proxy_url}}, insecure);
        const auto seen = proxy_log_with(*setup.proxy, log_start, "/blobs/");
        INFO(run.err << run.out << joined(seen));
        check_installed(client.home / "root", run);
        check_no_secrets(run);
        // Every request went through the proxy, authenticated there, to the made-up name.
        const std::string base = "http://" + setup.authority + "/v2/" + repo;
        CHECK(count_containing(seen, "GET " + base + "/manifests/1.0.0 200 " + proxy_user) >= 1);
        CHECK(count_containing(seen, "GET " + base + "/blobs/sha256:") >= 2);
        CHECK(count_containing(seen, " 407 ") == 0);
        CHECK(count_containing(setup.registry->requests(),
                               "GET /v2/" + repo + "/manifests/1.0.0 200") >= 1);
        // The lower-case name wins over the upper-case one (libcurl, Go).
        auto lower =
            client.install({{"http_proxy", proxy_url}, {"HTTP_PROXY", "http://127.0.0.1:9"}},
                           insecure, "root-lower");
        INFO(lower.err);
        check_installed(client.home / "root-lower", lower);
    }
    SECTION("NO_PROXY sends it direct, where the name does not resolve") {
        for (const std::string& no_proxy : {name, std::string(".deskext.test"), std::string("*")}) {
            auto run =
                client.install({{"HTTP_PROXY", proxy_url}, {"NO_PROXY", no_proxy}}, insecure);
            INFO(no_proxy << ": " << run.err << run.out);
            CHECK(run.exit_code == 6);
            REQUIRE(!run.events.empty());
            CHECK(run.last()["code"] == "network");
            const auto message = run.last()["message"].get<std::string>();
            CHECK_THAT(message, Catch::Contains(setup.authority));
            CHECK_THAT(message, Catch::Contains("resolve", Catch::CaseSensitive::No));
            CHECK(nothing_installed(client.home / "root"));
            check_no_secrets(run);
        }
        CHECK(count_containing(since(setup.proxy->requests(), log_start), setup.authority) == 0);
    }
    SECTION("wrong proxy credentials: exit 6 naming the proxy, never the password") {
        auto run = client.install(
            {{"HTTP_PROXY", setup.proxy->url_with(proxy_user, proxy_password + "-wrong")}},
            insecure);
        check_refused_by_proxy(run, *setup.proxy, client.home / "root", "-wrong");
    }
}

TEST_CASE("registry proxy: HTTPS_PROXY tunnels to a TLS registry with CONNECT",
          "[integration][registry][proxy]") {
    auto& setup = shared_setup(true);
    const auto log_start = setup.proxy->requests().size();
    const auto registry_log_start = setup.registry->requests().size();
    Client client(setup.authority);
    // The test CA, trusted for that name only, as docker's certs.d does.
    const auto certs = client.home / "certs.d" / setup.authority;
    fs::create_directories(certs);
    fs::copy_file(setup.registry->pki()->ca_cert, certs / "ca.crt");
    const auto proxy_url = setup.proxy->url_with(proxy_user, proxy_password);

    SECTION("through the tunnel, TLS verified end to end") {
        auto run = client.install({{"HTTPS_PROXY", proxy_url}});
        const auto seen = proxy_log_with(*setup.proxy, log_start, "CONNECT");
        INFO(run.err << run.out << joined(seen));
        check_installed(client.home / "root", run);
        check_no_secrets(run);
        CHECK(count_containing(seen, "CONNECT " + setup.authority + " 200 " + proxy_user) >= 1);
        // The proxy saw a tunnel only: no request path, so nothing of the registry's traffic.
        CHECK(count_containing(seen, "/v2/") == 0);
        CHECK(count_containing(setup.registry->requests(),
                               "GET /v2/" + repo + "/manifests/1.0.0 200") >= 1);
        // Connections are kept open and reused: the tunnels are fewer than the requests they
        // carried (every tunnel is logged once it closed, when deskext exited).
        long tunnels = 0;
        for (int stable = 0, waited = 0; stable < 6 && waited < 3000; waited += 50) {
            const auto now = count_containing(since(setup.proxy->requests(), log_start), "CONNECT");
            stable = now == tunnels ? stable + 1 : 0;
            tunnels = now;
            fixtures::sleep_ms(50);
        }
        const auto served =
            static_cast<long>(since(setup.registry->requests(), registry_log_start).size());
        INFO(tunnels << " tunnels for " << served << " requests");
        CHECK(tunnels >= 1);
        CHECK(tunnels < served);
    }
    SECTION("HTTP_PROXY alone is not used for https") {
        auto run = client.install({{"HTTP_PROXY", proxy_url}});
        INFO(run.err << run.out);
        CHECK(run.exit_code == 6);
        CHECK_THAT(run.last()["message"].get<std::string>(),
                   Catch::Contains("resolve", Catch::CaseSensitive::No));
        check_no_secrets(run);
    }
    SECTION("NO_PROXY with a domain suffix sends it direct, where the name does not resolve") {
        auto run = client.install({{"HTTPS_PROXY", proxy_url}, {"no_proxy", "deskext.test"}});
        INFO(run.err << run.out);
        CHECK(run.exit_code == 6);
        const auto message = run.last()["message"].get<std::string>();
        CHECK_THAT(message, Catch::Contains(setup.authority));
        CHECK_THAT(message, Catch::Contains("resolve", Catch::CaseSensitive::No));
        check_no_secrets(run);
        CHECK(count_containing(since(setup.proxy->requests(), log_start), "CONNECT") == 0);
    }
    SECTION("wrong proxy credentials: the CONNECT answered 407 fails with exit 6") {
        auto run = client.install(
            {{"HTTPS_PROXY", setup.proxy->url_with(proxy_user, proxy_password + "-wrong")}});
        check_refused_by_proxy(run, *setup.proxy, client.home / "root", "-wrong");
        // The proxy refused the tunnel: the registry saw nothing.
        CHECK(since(setup.registry->requests(), registry_log_start).empty());
    }
    SECTION("the CA is trusted for that name only: without certs.d the tunnel's TLS fails") {
        fs::remove_all(client.home / "certs.d");
        auto run = client.install({{"HTTPS_PROXY", proxy_url}});
        INFO(run.err << run.out);
        CHECK(run.exit_code == 6);
        CHECK_THAT(run.last()["message"].get<std::string>(), Catch::Contains("certs.d"));
        check_no_secrets(run);
    }
}
