// The real deskext binary pulling from a real registry (docker-registry) with bearer-token auth
// (the test suite's token server), through a fault-injecting proxy (cut connections, 503, 429
// with Retry-After, a corrupted byte, a redirect to another host), and from its blob cache.
// The harness is tests/fixtures/test_registry.hpp; the first tests check the harness itself.

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>

#include "extension_fixture.hpp"
#include "fixtures/log_text.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using fixtures::base64;
using fixtures::joined;
using fixtures::count_containing;
using namespace deskext::testing;
namespace fs = std::filesystem;

namespace {

const std::string repo = "acme/tool-ext";
const std::string user = "alice";
const std::string password = "pw-8f3a91c2-do-not-print";
// What `docker login` stores instead of the password when the token server issues a refresh
// token ("identitytoken" in config.json).
const std::string identity_token = "idt-0c5e8d41-refresh-do-not-print";

// The test extension's top layer split in two: the files an install copies below, metadata.json
// (and a VERSION file) on top.
std::vector<fixtures::ImageVariant> split_variants(const std::string& version) {
    auto variants = tool_extension_variants(version);
    for (auto& v : variants) {
        auto files = std::move(v.layers.back());
        v.layers.pop_back();
        std::vector<fixtures::TarEntry> top;
        for (auto it = files.begin(); it != files.end();) {
            if (it->name == "metadata.json") {
                top.push_back(std::move(*it));
                it = files.erase(it);
            } else {
                ++it;
            }
        }
        top.push_back(fixtures::file("VERSION", version + "\n"));
        v.layers.push_back(std::move(files));
        v.layers.push_back(std::move(top));
    }
    return variants;
}

// Version 1.0.0 and a 2.0.0 whose top layer differs (so an update has a layer to fetch), pushed
// to one token-auth registry that refuses anonymous pulls; built once per test process.
struct World {
    fixtures::TempDir dir{"deskext-reg-"};
    fs::path layout1 = dir / "layout-1";
    fs::path layout2 = dir / "layout-2";
    std::unique_ptr<fixtures::TestRegistry> registry;
    ImageBlobs v1;
    ImageBlobs v2;
    // The same extension with the files it installs in a layer of their own under a top layer
    // holding metadata.json only, in two versions that differ in that top layer alone.
    fs::path split_layout1 = dir / "split-1";
    fs::path split_layout2 = dir / "split-2";
    ImageBlobs split1;
    ImageBlobs split2;
    std::string digest1;

    World() {
        fixtures::write_multi_arch_image(layout1, "1.0.0", tool_extension_variants("1.0.0"));
        auto variants2 = tool_extension_variants("2.0.0");
        for (auto& v : variants2) v.layers.back().push_back(fixtures::file("VERSION", "2.0.0\n"));
        fixtures::write_multi_arch_image(layout2, "2.0.0", variants2);
        fixtures::RegistryOptions options;
        options.token_auth = true;
        options.htpasswd = {{user, password}};
        options.identity_tokens = {{identity_token, user}};
        registry = std::make_unique<fixtures::TestRegistry>(dir / "registry", options);
        digest1 = registry->push(layout1, "1.0.0", repo + ":1.0.0");
        registry->push(layout2, "2.0.0", repo + ":2.0.0");
        v1 = image_blobs(layout1, "amd64");
        v2 = image_blobs(layout2, "amd64");
        fixtures::write_multi_arch_image(split_layout1, "split-1", split_variants("1.0.0"));
        fixtures::write_multi_arch_image(split_layout2, "split-2", split_variants("2.0.0"));
        registry->push(split_layout1, "split-1", repo + ":split-1");
        registry->push(split_layout2, "split-2", repo + ":split-2");
        split1 = image_blobs(split_layout1, "amd64");
        split2 = image_blobs(split_layout2, "amd64");
    }
};

World& world() {
    static World w;
    return w;
}

// A home, a root and a blob cache of a test's own, with credentials for `hosts` when asked.
struct Client {
    fixtures::TempDir home{"deskext-reg-home-"};
    fs::path root = home / "root";
    fs::path cache = home / "cache";

    void login(const std::string& host, const std::string& pass = password) const {
        fs::create_directories(home / ".docker");
        nlohmann::json config = {{"auths", {{host, {{"auth", base64(user + ":" + pass)}}}}}};
        std::ofstream(home / ".docker" / "config.json") << config.dump(2);
    }

    // What docker login writes for a token server that issued a refresh token: the user name
    // without a password, and the token.
    void login_with_identity_token(const std::string& host, const std::string& token) const {
        fs::create_directories(home / ".docker");
        nlohmann::json config = {
            {"auths", {{host, {{"auth", base64(user + ":")}, {"identitytoken", token}}}}}};
        std::ofstream(home / ".docker" / "config.json") << config.dump(2);
    }

    [[nodiscard]] Run install(const std::string& reference,
                              std::vector<std::string> extra_args = {},
                              const fs::path& into = {}) const {
        std::vector<std::string> args{"install",    reference,
                                      "--platform", "linux/amd64",
                                      "--root",     (into.empty() ? root : into).string(),
                                      "--json"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return run_deskext(args, home.path(),
                           {{"DOCKER_CONFIG", (home / ".docker").string()},
                            {"DESKEXT_CACHE_DIR", cache.string()},
                            {"XDG_CACHE_HOME", (home / ".cache").string()},
                            {"DESKEXT_CERTS_D", (home / "certs.d").string()},
                            {"HTTP_PROXY", ""},
                            {"HTTPS_PROXY", ""},
                            {"http_proxy", ""},
                            {"https_proxy", ""},
                            {"ALL_PROXY", ""},
                            {"all_proxy", ""}});
    }
};

// No password, token or Authorization header in anything deskext printed.
void check_no_secrets(const Run& run) {
    const std::string all = run.out + run.err;
    CHECK(all.find(password) == std::string::npos);
    CHECK(all.find(identity_token) == std::string::npos);
    CHECK(all.find(base64(user + ":" + password)) == std::string::npos);
    CHECK(all.find("Bearer ") == std::string::npos);
    CHECK(all.find("Authorization:") == std::string::npos);
    for (const auto& token : world().registry->token_server()->tokens()) {
        // The signature alone is enough to recognise a leaked token.
        CHECK(all.find(token.substr(token.rfind('.') + 1)) == std::string::npos);
    }
}

// The test extension is installed for linux/amd64 where `run` says.
void check_installed(const fs::path& root, const Run& run) {
    REQUIRE(run.exit_code == 0);
    REQUIRE(run.last()["event"] == "result");
    const auto ext = root / run.last()["name"].get<std::string>();
    CHECK(slurp(ext / "metadata.json") == tool_metadata());
    CHECK(slurp(ext / "host" / "tool") == tool_bytes("linux", "amd64"));
    CHECK(slurp(ext / "ui" / "ui" / "index.html") == tool_ui_index());
    CHECK(fs::exists(ext / ".deskext" / "state.json"));
}

std::string blob_path(const std::string& digest) { return "/v2/" + repo + "/blobs/" + digest; }

// A client of its own, logged in to the test registry through a fault proxy of its own.
struct ProxiedClient {
    fixtures::TempDir dir;
    fixtures::FaultProxy proxy{dir / "proxy", world().registry->host()};
    Client client;

    ProxiedClient() { client.login(proxy.host()); }
};

}  // namespace

// --- the harness itself -----------------------------------------------------------------------

TEST_CASE("registry harness: token auth registry, push and pull through the fault proxy",
          "[integration][registry][harness]") {
    auto& w = world();
    auto* tokens = w.registry->token_server();
    REQUIRE(tokens != nullptr);
    CHECK(w.digest1.starts_with("sha256:"));
    CHECK(tokens->tokens_issued() >= 1);  // skopeo's push went through the bearer flow

    fixtures::TempDir dir;
    fixtures::FaultProxy proxy(dir / "proxy", w.registry->host());
    auto inspect = fixtures::run_process({"skopeo", "inspect", "--raw", "--tls-verify=false",
                                          "--creds", user + ":" + password,
                                          "docker://" + proxy.host() + "/" + repo + ":1.0.0"});
    INFO(inspect.err);
    REQUIRE(inspect.exit_code == 0);
    auto index = nlohmann::json::parse(inspect.out);
    CHECK(index["manifests"].size() == 2);

    // Anonymous pulls are refused: the token server grants nothing without credentials.
    auto anonymous =
        fixtures::run_process({"skopeo", "inspect", "--raw", "--tls-verify=false", "--no-creds",
                               "docker://" + proxy.host() + "/" + repo + ":1.0.0"});
    CHECK(anonymous.exit_code != 0);

    const auto seen = proxy.requests();
    INFO(joined(seen));
    CHECK(count_containing(seen, "GET /v2/" + repo + "/manifests/1.0.0 200 auth=yes") >= 1);
    CHECK(count_containing(seen, "/manifests/1.0.0 401 auth=") >= 1);
    CHECK(count_containing(w.registry->requests(), "GET /v2/" + repo + "/manifests/1.0.0 200") >=
          1);
}

TEST_CASE("registry harness: TLS with a client certificate and htpasswd users",
          "[integration][registry][harness]") {
    fixtures::TempDir dir;
    fixtures::RegistryOptions options;
    options.tls = true;
    options.client_auth = true;
    options.htpasswd = {{user, password}};
    fixtures::TestRegistry registry(dir / "registry", options);
    REQUIRE(registry.pki().has_value());
    const auto digest = registry.push(world().layout1, "1.0.0", repo + ":1.0.0");
    CHECK(digest == world().digest1);

    // What a docker client would have in certs.d/<host>/.
    const auto certs = dir / "certs.d" / registry.host();
    fs::create_directories(certs);
    fs::copy_file(registry.pki()->ca_cert, certs / "ca.crt");
    fs::copy_file(registry.pki()->client_cert, certs / "client.cert");
    fs::copy_file(registry.pki()->client_key, certs / "client.key");
    const auto reference = "docker://" + registry.host() + "/" + repo + ":1.0.0";
    auto ok = fixtures::run_process({"skopeo", "inspect", "--raw", "--cert-dir", certs.string(),
                                     "--creds", user + ":" + password, reference});
    INFO(ok.err);
    CHECK(ok.exit_code == 0);
    auto wrong = fixtures::run_process({"skopeo", "inspect", "--raw", "--cert-dir", certs.string(),
                                        "--creds", user + ":nope", reference});
    CHECK(wrong.exit_code != 0);
    fs::remove(certs / "ca.crt");  // the test CA is not trusted otherwise
    auto untrusted =
        fixtures::run_process({"skopeo", "inspect", "--raw", "--cert-dir", certs.string(),
                               "--creds", user + ":" + password, reference});
    CHECK(untrusted.exit_code != 0);
    CHECK(count_containing(registry.requests(), "/manifests/1.0.0 200") >= 1);
}

// --- case 3: bearer-token auth ------------------------------------------------------------------

TEST_CASE("registry token auth: anonymous pulls are refused", "[integration][registry][auth]") {
    auto& w = world();
    Client client;
    auto run = client.install(w.registry->host() + "/" + repo + ":1.0.0");
    INFO(run.err << run.out);
    CHECK(run.exit_code == 5);
    REQUIRE(!run.events.empty());
    CHECK(run.last()["code"] == "auth");
    CHECK(run.last()["message"].get<std::string>().find(w.registry->host()) != std::string::npos);
    if (fs::exists(client.root)) {
        for (const auto& entry : fs::directory_iterator(client.root))
            CHECK_FALSE(fs::exists(entry.path() / "metadata.json"));
    }
    check_no_secrets(run);
}

TEST_CASE("registry token auth: wrong credentials are refused without printing them",
          "[integration][registry][auth]") {
    auto& w = world();
    Client client;
    client.login(w.registry->host(), password + "-wrong");
    auto run = client.install(w.registry->host() + "/" + repo + ":1.0.0");
    INFO(run.err << run.out);
    CHECK(run.exit_code == 5);
    CHECK(run.last()["code"] == "auth");
    CHECK((run.out + run.err).find(password + "-wrong") == std::string::npos);
    check_no_secrets(run);
}

TEST_CASE("registry token auth: credentials from config.json get a token and the pull succeeds",
          "[integration][registry][auth]") {
    auto& w = world();
    Client client;
    client.login(w.registry->host());
    const int before = w.registry->token_server()->tokens_issued();
    auto run = client.install(w.registry->host() + "/" + repo + ":1.0.0");
    INFO(run.err << run.out);
    check_installed(client.root, run);
    CHECK(w.registry->token_server()->tokens_issued() > before);
    check_no_secrets(run);

    SECTION("by digest") {
        Client other;
        other.login(w.registry->host());
        auto by_digest = other.install(w.registry->host() + "/" + repo + "@" + w.digest1);
        INFO(by_digest.err << by_digest.out);
        check_installed(other.root, by_digest);
        check_no_secrets(by_digest);
    }
}

TEST_CASE("registry token auth: an identity token from config.json is exchanged with a POST",
          "[integration][registry][auth]") {
    auto& w = world();
    auto* tokens = w.registry->token_server();
    Client client;
    client.login_with_identity_token(w.registry->host(), identity_token);
    const auto before = tokens->grants().size();
    auto run = client.install(w.registry->host() + "/" + repo + ":1.0.0");
    INFO(run.err << run.out);
    check_installed(client.root, run);
    check_no_secrets(run);
    // Every token of this pull came from the refresh-token grant (token_server.py checks
    // grant_type, client_id and service), none from a Basic login with the token as password.
    const auto grants = tokens->grants();
    REQUIRE(grants.size() > before);
    for (auto i = before; i < grants.size(); ++i) CHECK(grants[i] == user + " refresh_token");

    SECTION("an identity token the server does not know: exit 5, never printed") {
        const std::string revoked = "idt-revoked-6e1f-do-not-print";
        Client other;
        other.login_with_identity_token(w.registry->host(), revoked);
        auto refused = other.install(w.registry->host() + "/" + repo + ":1.0.0");
        INFO(refused.err << refused.out);
        CHECK(refused.exit_code == 5);
        REQUIRE(!refused.events.empty());
        CHECK(refused.last()["code"] == "auth");
        CHECK((refused.out + refused.err).find(revoked) == std::string::npos);
        check_no_secrets(refused);
    }
}

TEST_CASE("registry token auth: an expired token is renewed during a pull",
          "[integration][registry][auth]") {
    // Tokens live 2 s; the first blob request waits 3 s in the proxy, so it reaches the registry
    // with an expired token, and so would every request after it without a renewal.
    fixtures::TempDir dir;
    fixtures::RegistryOptions options;
    options.token_auth = true;
    options.htpasswd = {{user, password}};
    options.token_expires_in = 2;
    fixtures::TestRegistry registry(dir / "registry", options);
    registry.push(world().layout1, "1.0.0", repo + ":1.0.0");
    fixtures::FaultProxy proxy(dir / "proxy", registry.host());
    proxy.add_fault({fixtures::Fault::Kind::delay_ms, "/blobs/", 1, 3000, "", ""});

    Client client;
    client.login(proxy.host());
    const int before = registry.token_server()->tokens_issued();
    auto run = client.install(proxy.host() + "/" + repo + ":1.0.0");
    INFO(run.err << run.out << joined(proxy.requests()));
    REQUIRE(run.exit_code == 0);
    const auto ext = client.root / run.last()["name"].get<std::string>();
    CHECK(slurp(ext / "metadata.json") == tool_metadata());
    CHECK(registry.token_server()->tokens_issued() - before >= 2);
    const std::string all = run.out + run.err;
    CHECK(all.find(password) == std::string::npos);
    for (const auto& token : registry.token_server()->tokens())
        CHECK(all.find(token.substr(token.rfind('.') + 1)) == std::string::npos);
}

// --- case 4: faults -----------------------------------------------------------------------------

TEST_CASE("registry faults: a connection cut mid-blob is resumed with Range",
          "[integration][registry][faults]") {
    auto& w = world();
    ProxiedClient through;
    auto& proxy = through.proxy;
    auto& client = through.client;
    const auto layer = w.v1.layers.back();
    REQUIRE(layer.size > 200);
    proxy.add_fault(
        {fixtures::Fault::Kind::cut_after_bytes, layer.digest, 1, layer.size / 2, "", ""});
    auto run = client.install(proxy.host() + "/" + repo + ":1.0.0");
    const auto seen = proxy.requests();
    INFO(run.err << run.out << joined(seen));
    check_installed(client.root, run);
    CHECK(count_containing(seen, "GET " + blob_path(layer.digest)) >= 2);
    CHECK(count_containing(seen, "range=bytes=" + std::to_string(layer.size / 2) + "-") >= 1);
    check_no_secrets(run);
}

TEST_CASE("registry faults: 503 is retried", "[integration][registry][faults]") {
    auto& w = world();
    ProxiedClient through;
    auto& proxy = through.proxy;
    auto& client = through.client;
    const auto layer = w.v1.layers.back();
    proxy.add_fault({fixtures::Fault::Kind::status, layer.digest, 1, 503, "", ""});
    auto run = client.install(proxy.host() + "/" + repo + ":1.0.0");
    const auto seen = proxy.requests();
    INFO(run.err << run.out << joined(seen));
    check_installed(client.root, run);
    CHECK(count_containing(seen, "GET " + blob_path(layer.digest) + " 503") == 1);
    CHECK(count_containing(seen, "GET " + blob_path(layer.digest) + " 200") == 1);
}

TEST_CASE("registry faults: 429 with Retry-After is waited for",
          "[integration][registry][faults]") {
    ProxiedClient through;
    auto& proxy = through.proxy;
    auto& client = through.client;
    proxy.add_fault({fixtures::Fault::Kind::status, "/manifests/", 1, 429, "2", ""});
    const auto start = std::chrono::steady_clock::now();
    auto run = client.install(proxy.host() + "/" + repo + ":1.0.0");
    const auto elapsed = std::chrono::steady_clock::now() - start;
    const auto seen = proxy.requests();
    INFO(run.err << run.out << joined(seen));
    check_installed(client.root, run);
    CHECK(count_containing(seen, "/manifests/1.0.0 429") == 1);
    CHECK(elapsed >= std::chrono::milliseconds(1900));
    CHECK(elapsed < std::chrono::seconds(20));
}

TEST_CASE("registry faults: a corrupted layer fails with exit 7 and keeps the installed version",
          "[integration][registry][faults]") {
    auto& w = world();
    ProxiedClient through;
    auto& proxy = through.proxy;
    auto& client = through.client;
    auto first = client.install(proxy.host() + "/" + repo + ":1.0.0");
    INFO(first.err << first.out);
    check_installed(client.root, first);
    const auto before = read_tree(client.root);

    // Every attempt gets the corrupted byte, however many times the client retries.
    const auto layer = w.v2.layers.back();
    REQUIRE(layer.digest != w.v1.layers.back().digest);
    proxy.add_fault(
        {fixtures::Fault::Kind::corrupt_byte, layer.digest, 1000, layer.size / 2, "", ""});
    auto update = client.install(proxy.host() + "/" + repo + ":2.0.0", {"--force"});
    INFO(update.err << update.out << joined(proxy.requests()));
    CHECK(update.exit_code == 7);
    REQUIRE(!update.events.empty());
    CHECK(update.last()["code"] == "integrity");
    CHECK(read_tree(client.root) == before);
    check_no_secrets(update);

    // The corrupt blob was not kept in the cache: without the fault the update goes through.
    fixtures::FaultProxy clean(through.dir / "clean", w.registry->host());
    client.login(clean.host());
    auto retry = client.install(clean.host() + "/" + repo + ":2.0.0", {"--force"});
    INFO(retry.err << retry.out);
    REQUIRE(retry.exit_code == 0);
    CHECK(retry.last()["version"] == "2.0.0");
    CHECK(count_containing(clean.requests(), "GET " + blob_path(layer.digest) + " 200") == 1);
}

TEST_CASE("registry faults: a layer failing while others download stops them, keeps nothing",
          "[integration][registry][faults]") {
    // Layers are read while they download: the top one fails its digest at once while a lower
    // one is still held back by the proxy. The install fails with the top layer's error without
    // waiting for that download, and the cache keeps no part of either blob.
    auto& w = world();
    ProxiedClient through;
    auto& proxy = through.proxy;
    auto& client = through.client;
    REQUIRE(w.split1.layers.size() == 3);
    const auto top = w.split1.layers[2];
    const auto held = w.split1.layers[0];
    constexpr int held_ms = 30000;
    proxy.add_fault({fixtures::Fault::Kind::delay_ms, held.digest, 1000, held_ms, "", ""});
    proxy.add_fault({fixtures::Fault::Kind::corrupt_byte, top.digest, 1000, top.size / 2, "", ""});

    const auto started = std::chrono::steady_clock::now();
    auto run = client.install(proxy.host() + "/" + repo + ":split-1");
    const auto took = std::chrono::steady_clock::now() - started;
    INFO(run.err << run.out << joined(proxy.requests()));
    CHECK(run.exit_code == 7);
    REQUIRE(!run.events.empty());
    CHECK(run.last()["code"] == "integrity");
    CHECK(run.last()["message"].get<std::string>().find("layer 2") != std::string::npos);
    // Not a timing: the held download would have taken 30 s to even start.
    CHECK(took < std::chrono::milliseconds(held_ms / 2));
    std::vector<std::string> cached;
    for (const auto& entry : fs::recursive_directory_iterator(client.cache))
        if (entry.is_regular_file()) cached.push_back(entry.path().filename().string());
    for (const auto& name : cached) {
        INFO(name);
        CHECK(!name.starts_with(".tmp-"));
        CHECK(name != top.digest.substr(7));
        CHECK(name != held.digest.substr(7));
    }
}

TEST_CASE("registry faults: a blob redirected to another host gets no Authorization",
          "[integration][registry][faults]") {
    auto& w = world();
    ProxiedClient through;
    auto& proxy = through.proxy;
    auto& client = through.client;
    const auto layer = w.v1.layers.back();
    proxy.add_fault({fixtures::Fault::Kind::redirect_to, layer.digest, 1, 0, "",
                     "http://" + proxy.redirect_host()});
    auto run = client.install(proxy.host() + "/" + repo + ":1.0.0");
    const auto redirected = proxy.redirect_requests();
    INFO(run.err << run.out << joined(proxy.requests()) << joined(redirected));
    check_installed(client.root, run);
    // The client had an Authorization header for the registry, and kept it there.
    CHECK(count_containing(proxy.requests(), "GET " + blob_path(layer.digest) + " 307 auth=yes") ==
          1);
    REQUIRE(count_containing(redirected, "GET " + blob_path(layer.digest)) >= 1);
    CHECK(count_containing(redirected, "auth=yes") == 0);
    CHECK(count_containing(redirected, " 200 auth=no") >= 1);
    check_no_secrets(run);
}

// --- case 5: the blob cache ---------------------------------------------------------------------

TEST_CASE("registry cache: a second install reads every blob from the cache",
          "[integration][registry][cache]") {
    auto& w = world();
    ProxiedClient through;
    auto& proxy = through.proxy;
    auto& client = through.client;
    const auto reference = proxy.host() + "/" + repo + ":1.0.0";
    const std::string blob_get = "GET /v2/" + repo + "/blobs/";

    auto first = client.install(reference);
    INFO(first.err << first.out);
    check_installed(client.root, first);
    const auto after_first = proxy.requests();
    for (const auto& layer : w.v1.layers)
        CHECK(count_containing(after_first, "GET " + blob_path(layer.digest) + " 200") == 1);
    const long blob_gets = count_containing(after_first, blob_get);
    // The manifests fetched by digest are kept too: only the tag is asked for again.
    const std::string by_digest = "GET /v2/" + repo + "/manifests/sha256:";
    const std::string by_tag = "GET /v2/" + repo + "/manifests/1.0.0 200";
    const long digest_gets = count_containing(after_first, by_digest);
    CHECK(digest_gets >= 1);
    CHECK(count_containing(after_first, by_tag) == 1);

    // Another root, the same cache: no blob is fetched again.
    auto other_root = client.install(reference, {}, client.home / "root2");
    INFO(other_root.err << other_root.out << joined(proxy.requests()));
    check_installed(client.home / "root2", other_root);
    CHECK(count_containing(proxy.requests(), blob_get) == blob_gets);
    CHECK(count_containing(proxy.requests(), by_digest) == digest_gets);
    CHECK(count_containing(proxy.requests(), by_tag) == 2);

    // The same root again, forced: still nothing fetched.
    auto forced = client.install(reference, {"--force"});
    INFO(forced.err << forced.out);
    check_installed(client.root, forced);
    CHECK(count_containing(proxy.requests(), blob_get) == blob_gets);
}

TEST_CASE("registry cache: an update fetches and reads only the layer that changed",
          "[integration][registry][cache]") {
    auto& w = world();
    ProxiedClient through;
    auto& proxy = through.proxy;
    auto& client = through.client;
    auto first = client.install(proxy.host() + "/" + repo + ":1.0.0");
    INFO(first.err << first.out);
    check_installed(client.root, first);

    REQUIRE(w.v2.layers.size() == w.v1.layers.size());
    const auto before = proxy.requests();
    auto update = client.install(proxy.host() + "/" + repo + ":2.0.0", {"--force"});
    INFO(update.err << update.out << joined(proxy.requests()));
    check_installed(client.root, update);
    CHECK(update.last()["version"] == "2.0.0");
    const auto ext = client.root / update.last()["name"].get<std::string>();
    CHECK(!fs::exists(ext / "VERSION"));  // in the image, but not something an install copies

    const auto after = proxy.requests();
    const std::vector<std::string> during(after.begin() + static_cast<long>(before.size()),
                                          after.end());
    for (std::size_t i = 0; i < w.v2.layers.size(); ++i) {
        const auto& layer = w.v2.layers[i];
        const bool changed = layer.digest != w.v1.layers[i].digest;
        CHECK(count_containing(during, "GET " + blob_path(layer.digest)) == (changed ? 1 : 0));
    }
    // Only the changed layer is read, once: the others hold nothing the install copies (the
    // stale UI files of the base layer are whited out), so their entries come from the index
    // the first install left in the cache. Nothing is read a second time to extract.
    std::map<std::size_t, int> verified;
    for (const auto& event : update.of("progress")) {
        CHECK(event["phase"] != "extract");
        if (event["phase"] == "verify" && event["bytes"] == event["total"])
            ++verified[event["layer"].get<std::size_t>()];
    }
    std::map<std::size_t, int> changed;
    for (std::size_t i = 0; i < w.v2.layers.size(); ++i)
        if (w.v2.layers[i].digest != w.v1.layers[i].digest) changed[i] = 1;
    CHECK(verified == changed);
    CHECK(!changed.empty());
}

TEST_CASE("registry cache: a damaged cached layer is caught when read, removed and fetched again",
          "[integration][registry][cache]") {
    auto& w = world();
    ProxiedClient through;
    auto& proxy = through.proxy;
    auto& client = through.client;
    const auto reference = proxy.host() + "/" + repo + ":1.0.0";
    auto first = client.install(reference);
    INFO(first.err << first.out);
    check_installed(client.root, first);

    // Same size, one byte changed: only reading the file can tell.
    const auto layer = w.v1.layers.back();
    const auto cached = client.cache / "blobs" / "sha256" / layer.digest.substr(7);
    REQUIRE(fs::file_size(cached) == static_cast<std::uintmax_t>(layer.size));
    {
        std::fstream file(cached, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(layer.size / 2);
        file.put('\x5a');
    }
    REQUIRE(slurp(cached) != slurp(w.layout1 / "blobs" / "sha256" / layer.digest.substr(7)));

    auto again = client.install(reference, {"--force"});
    INFO(again.err << again.out << joined(proxy.requests()));
    check_installed(client.root, again);
    bool warned = false;
    for (const auto& warning : again.of("warning"))
        warned = warned ||
                 warning["message"].get<std::string>().find(cached.string()) != std::string::npos;
    CHECK(warned);
    CHECK(count_containing(proxy.requests(), "GET " + blob_path(layer.digest) + " 200") == 2);
    CHECK(slurp(cached) == slurp(w.layout1 / "blobs" / "sha256" / layer.digest.substr(7)));
}

TEST_CASE("registry cache: an update copies unchanged files from the installed version",
          "[integration][registry][cache]") {
    auto& w = world();
    ProxiedClient through;
    auto& proxy = through.proxy;
    auto& client = through.client;
    auto first = client.install(proxy.host() + "/" + repo + ":split-1");
    INFO(first.err << first.out);
    check_installed(client.root, first);
    const auto ext = client.root / first.last()["name"].get<std::string>();
    const auto installed = read_tree(ext / "ui");
    const auto host_tool = slurp(ext / "host" / "tool");
    // The file itself, whatever its name: a copy would be another inode.
    const auto inode = [](const std::filesystem::path& path) {
        struct stat st {};
        REQUIRE(::lstat(path.c_str(), &st) == 0);
        return std::pair{st.st_dev, st.st_ino};
    };
    const auto tool_inode = inode(ext / "host" / "tool");

    REQUIRE(w.split1.layers.size() == 3);
    REQUIRE(w.split2.layers.size() == 3);
    for (std::size_t i = 0; i < 2; ++i)
        REQUIRE(w.split1.layers[i].digest == w.split2.layers[i].digest);
    REQUIRE(w.split1.layers[2].digest != w.split2.layers[2].digest);

    // Which layers a run read: "verify" for the single pass, "extract" for a second read.
    const auto layers_read = [](const Run& run, const std::string& phase) {
        std::set<std::size_t> read;
        for (const auto& event : run.of("progress"))
            if (event["phase"] == phase && event["bytes"] == event["total"])
                read.insert(event["layer"].get<std::size_t>());
        return read;
    };

    const auto before = proxy.requests();
    auto update = client.install(proxy.host() + "/" + repo + ":split-2");
    INFO(update.err << update.out << joined(proxy.requests()));
    check_installed(client.root, update);
    CHECK(update.last()["version"] == "split-2");
    const auto after = proxy.requests();
    const std::vector<std::string> during(after.begin() + static_cast<long>(before.size()),
                                          after.end());
    for (std::size_t i = 0; i < 3; ++i)
        CHECK(count_containing(during, "GET " + blob_path(w.split2.layers[i].digest)) ==
              (i == 2 ? 1 : 0));
    // Only the top layer is read; the files layer, unchanged, is not read at all.
    CHECK(layers_read(update, "verify") == std::set<std::size_t>{2});
    CHECK(layers_read(update, "extract").empty());
    CHECK(read_tree(ext / "ui") == installed);
    CHECK(slurp(ext / "host" / "tool") == host_tool);
    // Unchanged files of the same mode are hard-linked from the installed version, not copied;
    // the old version's removal left them one name.
    CHECK(inode(ext / "host" / "tool") == tool_inode);
    struct stat tool {};
    REQUIRE(::lstat((ext / "host" / "tool").c_str(), &tool) == 0);
    CHECK(tool.st_nlink == 1);
    // The state records where each file came from.
    const auto state = nlohmann::json::parse(slurp(ext / ".deskext" / "state.json"));
    bool recorded = false;
    for (const auto& file : state["files"]) {
        if (file["path"] != "ui/ui/index.html") continue;
        recorded = file["origin"]["layer"] == w.split2.layers[1].digest;
    }
    CHECK(recorded);

    // An installed file changed since is not copied: its layer is read for it.
    { std::ofstream(ext / "ui" / "ui" / "index.html", std::ios::trunc) << "tampered"; }
    auto back = client.install(proxy.host() + "/" + repo + ":split-1");
    INFO(back.err << back.out);
    check_installed(client.root, back);
    CHECK(read_tree(ext / "ui") == installed);
    CHECK(layers_read(back, "extract") == std::set<std::size_t>{1});
}
