// The real deskext binary pulling from a real registry (docker-registry) with bearer-token auth
// (the test suite's token server), through a fault-injecting proxy (cut connections, 503, 429
// with Retry-After, a corrupted byte, a redirect to another host), and from its blob cache.
// The harness is tests/fixtures/test_registry.hpp; the first tests check the harness itself.

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>

#include "extension_fixture.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using namespace deskext::testing;
namespace fs = std::filesystem;

namespace {

const std::string repo = "acme/tool-ext";
const std::string user = "alice";
const std::string password = "pw-8f3a91c2-do-not-print";

struct Blob {
    std::string digest;
    long size = 0;
};

// The config and layers of the linux/`arch` image of the test extension in an OCI layout.
struct ImageBlobs {
    Blob config;
    std::vector<Blob> layers;
};

nlohmann::json read_blob(const fs::path& layout, const std::string& digest) {
    return nlohmann::json::parse(slurp(layout / "blobs" / "sha256" / digest.substr(7)));
}

std::optional<ImageBlobs> find_image(const fs::path& layout, const nlohmann::json& index,
                                     const std::string& arch) {
    for (const auto& d : index.at("manifests")) {
        auto doc = read_blob(layout, d.at("digest").get<std::string>());
        if (doc.contains("manifests")) {
            if (auto found = find_image(layout, doc, arch)) return found;
            continue;
        }
        if (!d.contains("platform") || d["platform"].value("architecture", "") != arch) continue;
        ImageBlobs blobs;
        blobs.config = {doc["config"]["digest"], doc["config"]["size"]};
        for (const auto& l : doc.at("layers")) blobs.layers.push_back({l["digest"], l["size"]});
        return blobs;
    }
    return std::nullopt;
}

ImageBlobs image_blobs(const fs::path& layout, const std::string& arch) {
    auto found = find_image(layout, nlohmann::json::parse(slurp(layout / "index.json")), arch);
    if (!found) throw std::runtime_error("no linux/" + arch + " image in " + layout.string());
    return *found;
}

std::string base64(const std::string& in) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const auto n = (std::uint32_t(std::uint8_t(in[i])) << 16) |
                       (std::uint32_t(std::uint8_t(in[i + 1])) << 8) | std::uint8_t(in[i + 2]);
        for (int s = 18; s >= 0; s -= 6) out += alphabet[(n >> s) & 63];
    }
    if (i < in.size()) {
        std::uint32_t n = std::uint32_t(std::uint8_t(in[i])) << 16;
        if (i + 1 < in.size()) n |= std::uint32_t(std::uint8_t(in[i + 1])) << 8;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += i + 1 < in.size() ? alphabet[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
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
    std::string digest1;

    World() {
        fixtures::write_multi_arch_image(layout1, "1.0.0", tool_extension_variants("1.0.0"));
        auto variants2 = tool_extension_variants("2.0.0");
        for (auto& v : variants2) v.layers.back().push_back(fixtures::file("VERSION", "2.0.0\n"));
        fixtures::write_multi_arch_image(layout2, "2.0.0", variants2);
        fixtures::RegistryOptions options;
        options.token_auth = true;
        options.htpasswd = {{user, password}};
        registry = std::make_unique<fixtures::TestRegistry>(dir / "registry", options);
        digest1 = registry->push(layout1, "1.0.0", repo + ":1.0.0");
        registry->push(layout2, "2.0.0", repo + ":2.0.0");
        v1 = image_blobs(layout1, "amd64");
        v2 = image_blobs(layout2, "amd64");
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

long count_containing(const std::vector<std::string>& lines, const std::string& needle) {
    return std::count_if(lines.begin(), lines.end(),
                         [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

std::string blob_path(const std::string& digest) { return "/v2/" + repo + "/blobs/" + digest; }

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

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
    fixtures::TempDir dir;
    fixtures::FaultProxy proxy(dir / "proxy", w.registry->host());
    const auto layer = w.v1.layers.back();
    REQUIRE(layer.size > 200);
    proxy.add_fault(
        {fixtures::Fault::Kind::cut_after_bytes, layer.digest, 1, layer.size / 2, "", ""});
    Client client;
    client.login(proxy.host());
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
    fixtures::TempDir dir;
    fixtures::FaultProxy proxy(dir / "proxy", w.registry->host());
    const auto layer = w.v1.layers.back();
    proxy.add_fault({fixtures::Fault::Kind::status, layer.digest, 1, 503, "", ""});
    Client client;
    client.login(proxy.host());
    auto run = client.install(proxy.host() + "/" + repo + ":1.0.0");
    const auto seen = proxy.requests();
    INFO(run.err << run.out << joined(seen));
    check_installed(client.root, run);
    CHECK(count_containing(seen, "GET " + blob_path(layer.digest) + " 503") == 1);
    CHECK(count_containing(seen, "GET " + blob_path(layer.digest) + " 200") == 1);
}

TEST_CASE("registry faults: 429 with Retry-After is waited for",
          "[integration][registry][faults]") {
    auto& w = world();
    fixtures::TempDir dir;
    fixtures::FaultProxy proxy(dir / "proxy", w.registry->host());
    proxy.add_fault({fixtures::Fault::Kind::status, "/manifests/", 1, 429, "2", ""});
    Client client;
    client.login(proxy.host());
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
    fixtures::TempDir dir;
    fixtures::FaultProxy proxy(dir / "proxy", w.registry->host());
    Client client;
    client.login(proxy.host());
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
    fixtures::FaultProxy clean(dir / "clean", w.registry->host());
    client.login(clean.host());
    auto retry = client.install(clean.host() + "/" + repo + ":2.0.0", {"--force"});
    INFO(retry.err << retry.out);
    REQUIRE(retry.exit_code == 0);
    CHECK(retry.last()["version"] == "2.0.0");
    CHECK(count_containing(clean.requests(), "GET " + blob_path(layer.digest) + " 200") == 1);
}

TEST_CASE("registry faults: a blob redirected to another host gets no Authorization",
          "[integration][registry][faults]") {
    auto& w = world();
    fixtures::TempDir dir;
    fixtures::FaultProxy proxy(dir / "proxy", w.registry->host());
    const auto layer = w.v1.layers.back();
    proxy.add_fault({fixtures::Fault::Kind::redirect_to, layer.digest, 1, 0, "",
                     "http://" + proxy.redirect_host()});
    Client client;
    client.login(proxy.host());
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
    fixtures::TempDir dir;
    fixtures::FaultProxy proxy(dir / "proxy", w.registry->host());
    Client client;
    client.login(proxy.host());
    const auto reference = proxy.host() + "/" + repo + ":1.0.0";
    const std::string blob_get = "GET /v2/" + repo + "/blobs/";

    auto first = client.install(reference);
    INFO(first.err << first.out);
    check_installed(client.root, first);
    const auto after_first = proxy.requests();
    for (const auto& layer : w.v1.layers)
        CHECK(count_containing(after_first, "GET " + blob_path(layer.digest) + " 200") == 1);
    const long blob_gets = count_containing(after_first, blob_get);

    // Another root, the same cache: no blob is fetched again.
    auto other_root = client.install(reference, {}, client.home / "root2");
    INFO(other_root.err << other_root.out << joined(proxy.requests()));
    check_installed(client.home / "root2", other_root);
    CHECK(count_containing(proxy.requests(), blob_get) == blob_gets);

    // The same root again, forced: still nothing fetched.
    auto forced = client.install(reference, {"--force"});
    INFO(forced.err << forced.out);
    check_installed(client.root, forced);
    CHECK(count_containing(proxy.requests(), blob_get) == blob_gets);
}
