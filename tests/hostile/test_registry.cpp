// Hostile registries (SECURITY.md, "Registry side"): a real docker-registry holding documents
// pushed exactly as each case wrote them, behind the fault proxy, which rewrites the registry's
// answers (Content-Type, bytes, redirects) and whose second listener plays a foreign host that
// records every request it gets. The registry requires a password, so that every case also
// shows where the credentials went.

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <functional>

#include "deskext/digest.hpp"
#include "deskext/oci/media_types.hpp"
#include "fixtures/log_text.hpp"
#include "fixtures/test_registry.hpp"
#include "sandbox.hpp"

using namespace deskext;
using fixtures::base64;
using fixtures::joined;
using fixtures::count_containing;
using namespace deskext::hostile;

namespace fs = std::filesystem;

namespace {

constexpr int k_not_found = 3;
constexpr int k_integrity = 7;
constexpr int k_content = 8;

const std::string repo = "acme/hostile";
const std::string user = "hostile-user";
const std::string password = "hostile-pw-9d31c7f0-never-print";

nlohmann::json descriptor(std::string_view media_type, const std::string& bytes) {
    return {{"mediaType", media_type},
            {"digest", sha256_of(bytes).str()},
            {"size", static_cast<long>(bytes.size())}};
}

// One registry for the whole suite: started once, each case pushes under its own tag.
fixtures::TestRegistry& registry() {
    static fixtures::TempDir dir{"deskext-hostile-registry-"};
    static fixtures::TestRegistry instance(dir / "registry", [] {
        fixtures::RegistryOptions options;
        options.htpasswd = {{user, password}};
        options.allow_foreign_urls = true;
        return options;
    }());
    return instance;
}

// The documents of one case image, pushed: good layer, config, manifest, index (linux/amd64).
struct Pushed {
    std::string layer;  // the layer blob
    nlohmann::json manifest;
    std::string manifest_bytes;
    std::string manifest_digest;
    std::string index_bytes;
};

// Pushes the good extension as `tag`. `edit` may change the manifest (and say whether the
// layer blob is pushed at all); `edit_index` the index entry that points at the manifest.
Pushed push_case(const std::string& tag,
                 const std::function<void(nlohmann::json& manifest, bool& push_layer)>& edit = {},
                 const std::function<void(nlohmann::json& entry)>& edit_index = {}) {
    auto& reg = registry();
    Pushed p;
    const auto layer = raw_layer(good_layer());
    p.layer = layer.blob;
    const std::string config =
        nlohmann::json{{"architecture", "amd64"},
                       {"os", "linux"},
                       {"rootfs", {{"type", "layers"}, {"diff_ids", {sha256_of(p.layer).str()}}}}}
            .dump();
    reg.put_blob(repo, config);
    p.manifest = {{"schemaVersion", 2},
                  {"mediaType", media_type::oci_manifest},
                  {"config", descriptor(media_type::oci_config, config)},
                  {"layers", {descriptor(layer.media_type, layer.blob)}}};
    bool push_layer = true;
    if (edit) edit(p.manifest, push_layer);
    if (push_layer) reg.put_blob(repo, p.layer);
    p.manifest_bytes = p.manifest.dump();
    p.manifest_digest = reg.put_manifest(repo, sha256_of(p.manifest_bytes).str(), p.manifest_bytes,
                                         std::string(media_type::oci_manifest));
    auto entry = descriptor(media_type::oci_manifest, p.manifest_bytes);
    entry["platform"] = {{"os", "linux"}, {"architecture", "amd64"}};
    if (edit_index) edit_index(entry);
    p.index_bytes = nlohmann::json{
        {"schemaVersion", 2},
        {"mediaType", media_type::oci_index},
        {"manifests",
         {entry}}}.dump();
    reg.put_manifest(repo, tag, p.index_bytes, std::string(media_type::oci_index));
    return p;
}

// A sandbox, the fault proxy in front of the registry, and a client that logged in there.
struct Case {
    Sandbox box;
    fixtures::TempDir home{"deskext-hostile-client-"};
    fixtures::FaultProxy proxy{home / "proxy", registry().host()};

    Case() {
        fs::create_directories(home / ".docker");
        const nlohmann::json config = {
            {"auths", {{proxy.host(), {{"auth", base64(user + ":" + password)}}}}}};
        std::ofstream(home / ".docker" / "config.json") << config.dump();
    }

    [[nodiscard]] testing::Run install(const std::string& tag,
                                       const std::vector<std::string>& extra = {}) const {
        return box.install_source(proxy.host() + "/" + repo + ":" + tag,
                                  {{"DOCKER_CONFIG", (home / ".docker").string()},
                                   {"DESKEXT_CACHE_DIR", (home / "cache").string()},
                                   {"HTTP_PROXY", ""},
                                   {"http_proxy", ""},
                                   {"HTTPS_PROXY", ""},
                                   {"https_proxy", ""}},
                                  extra);
    }

    // The foreign host (the fault proxy's second listener) got no request at all.
    void check_foreign_host_untouched() const {
        INFO(joined(proxy.redirect_requests()));
        CHECK(proxy.redirect_requests().empty());
    }
};

void check_no_secrets(const testing::Run& run) {
    for (const auto& secret : {password, base64(user + ":" + password)}) {
        CHECK(run.out.find(secret) == std::string::npos);
        CHECK(run.err.find(secret) == std::string::npos);
    }
}

}  // namespace

TEST_CASE("a registry whose Content-Type contradicts the manifest's mediaType is refused",
          "[hostile][registry]") {
    Case c;
    const auto p = push_case("content-type");
    SECTION("the index, served as a manifest") {
        c.proxy.add_fault({fixtures::Fault::Kind::set_header, "/manifests/content-type", 1, 0, "",
                           "", "Content-Type: application/vnd.oci.image.manifest.v1+json"});
        const auto run = c.install("content-type");
        c.box.check_refused(run, k_content,
                            {"served as application/vnd.oci.image.manifest.v1+json",
                             "says it is application/vnd.oci.image.index.v1+json"});
        check_no_secrets(run);
    }
    SECTION("the manifest, served as an index") {
        c.proxy.add_fault({fixtures::Fault::Kind::set_header, "/manifests/" + p.manifest_digest, 1,
                           0, "", "", "Content-Type: application/vnd.oci.image.index.v1+json"});
        const auto run = c.install("content-type");
        c.box.check_refused(run, k_content,
                            {p.manifest_digest, "served as application/vnd.oci.image.index.v1+json",
                             "says it is application/vnd.oci.image.manifest.v1+json"});
        check_no_secrets(run);
    }
}

TEST_CASE("an index entry whose mediaType disagrees with the document it points at is refused",
          "[hostile][registry]") {
    Case c;
    SECTION("the entry says manifest, the registry holds an index there (CVE-2021-41190)") {
        // An index that itself points at the good manifest, pushed as an index ...
        const auto inner = push_case("confusion-inner");
        // ... and an index whose linux/amd64 entry calls that index a manifest.
        const auto inner_digest = sha256_of(inner.index_bytes).str();
        push_case("confusion", {}, [&](nlohmann::json& entry) {
            entry["digest"] = inner_digest;
            entry["size"] = inner.index_bytes.size();
        });
        const auto run = c.install("confusion");
        c.box.check_refused(run, k_content,
                            {inner_digest, "application/vnd.oci.image.index.v1+json",
                             "its descriptor says application/vnd.oci.image.manifest.v1+json"});
        check_no_secrets(run);
    }
    SECTION("the entry says Docker manifest, the document is an OCI manifest") {
        const auto p = push_case("docker-vs-oci", {}, [](nlohmann::json& entry) {
            entry["mediaType"] = media_type::docker_manifest;
        });
        const auto run = c.install("docker-vs-oci");
        c.box.check_refused(run, k_content,
                            {p.manifest_digest, std::string("its descriptor says ") +
                                                    std::string(media_type::docker_manifest)});
        check_no_secrets(run);
    }
}

TEST_CASE("a registry serving a layer of another size or digest than described is refused",
          "[hostile][registry]") {
    Case c;
    SECTION("larger than its descriptor") {
        // The registry serves the real blob; the manifest says it is 100 bytes shorter.
        const auto p = push_case("smaller-descriptor", [](nlohmann::json& m, bool&) {
            m["layers"][0]["size"] = m["layers"][0]["size"].get<long>() - 100;
        });
        const auto run = c.install("smaller-descriptor");
        c.box.check_refused(run, k_integrity, {sha256_of(p.layer).str()});
        check_no_secrets(run);
    }
    SECTION("smaller than its descriptor") {
        const auto p = push_case("larger-descriptor", [](nlohmann::json& m, bool&) {
            m["layers"][0]["size"] = m["layers"][0]["size"].get<long>() + 100;
        });
        const auto run = c.install("larger-descriptor");
        c.box.check_refused(run, k_integrity, {sha256_of(p.layer).str()});
        check_no_secrets(run);
    }
    SECTION("bytes that do not hash to the digest, on every attempt") {
        const auto p = push_case("corrupt-layer");
        const auto digest = sha256_of(p.layer).str();
        c.proxy.add_fault({fixtures::Fault::Kind::corrupt_byte, "/blobs/" + digest, 1000,
                           static_cast<long>(p.layer.size() / 2), "", ""});
        const auto run = c.install("corrupt-layer");
        c.box.check_refused(run, k_integrity, {digest});
        check_no_secrets(run);
    }
    SECTION("a manifest that does not hash to the digest the index gave") {
        const auto p = push_case("corrupt-manifest");
        c.proxy.add_fault({fixtures::Fault::Kind::corrupt_byte, "/manifests/" + p.manifest_digest,
                           1000, 2, "", ""});
        const auto run = c.install("corrupt-manifest");
        c.box.check_refused(run, k_integrity, {p.manifest_digest});
        check_no_secrets(run);
    }
}

TEST_CASE("foreign-layer urls are never followed: nothing, credentials least of all, goes there",
          "[hostile][registry]") {
    Case c;
    const auto foreign = [&](nlohmann::json& m) {
        const auto digest = m["layers"][0]["digest"].get<std::string>();
        m["layers"][0]["mediaType"] =
            "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
        m["layers"][0]["urls"] = {
            "http://" + c.proxy.redirect_host() + "/foreign/" + digest,
            "http://" + c.proxy.redirect_host() + "/v2/" + repo + "/blobs/" + digest};
    };
    SECTION("a layer the registry does not have: refused, naming it") {
        const auto p = push_case("foreign-missing", [&](nlohmann::json& m, bool& push_layer) {
            foreign(m);
            push_layer = false;
        });
        const auto run = c.install("foreign-missing");
        c.box.check_refused(run, k_not_found,
                            {sha256_of(p.layer).str(), "its urls are not followed"});
        c.check_foreign_host_untouched();
        check_no_secrets(run);
    }
    SECTION("a layer the registry has too: fetched from the registry only") {
        const auto p = push_case("foreign-present", [&](nlohmann::json& m, bool&) { foreign(m); });
        const auto run = c.install("foreign-present");
        INFO(run.err);
        CHECK(run.exit_code == 0);
        c.box.check_sentinel();
        CHECK(testing::slurp(c.box.installed() / "ui" / "ui" / "index.html") ==
              "<html>good</html>\n");
        CHECK(count_containing(
                  c.proxy.requests(),
                  "GET /v2/" + repo + "/blobs/" + sha256_of(p.layer).str() + " 200 auth=yes") == 1);
        c.check_foreign_host_untouched();
        check_no_secrets(run);
    }
}

TEST_CASE("a registry redirecting to another host gets no credentials sent there",
          "[hostile][registry]") {
    Case c;
    const auto p = push_case("redirect");
    const auto layer_digest = sha256_of(p.layer).str();
    // Both the manifest and the layer are redirected; the other host serves them only through
    // the signed URL (as storage behind presigned URLs does) and records every Authorization.
    for (const auto& path : {"/manifests/" + p.manifest_digest, "/blobs/" + layer_digest}) {
        c.proxy.add_fault({fixtures::Fault::Kind::redirect_to, path, 1, 0, "",
                           "http://" + c.proxy.redirect_host()});
    }
    const auto run = c.install("redirect");
    const auto redirected = c.proxy.redirect_requests();
    INFO(run.err << joined(c.proxy.requests()) << joined(redirected));
    CHECK(run.exit_code == 0);
    c.box.check_sentinel();
    CHECK(count_containing(c.proxy.requests(), " 307 auth=yes") == 2);
    CHECK(count_containing(redirected, "/manifests/" + p.manifest_digest) == 1);
    CHECK(count_containing(redirected, "/blobs/" + layer_digest) == 1);
    CHECK(count_containing(redirected, "auth=yes") == 0);
    check_no_secrets(run);
}

TEST_CASE("credentials are not sent to a token server over plain HTTP on another host",
          "[hostile][registry]") {
    // The registry (a loopback one, so plain HTTP is allowed to it) names a token server
    // elsewhere over plain HTTP: Docker would send the Basic credentials there for anyone on the
    // way to read. Nothing is sent: the realm's host (port 9: nothing listens) is never reached.
    Case c;
    push_case("plain-realm");
    c.proxy.add_fault({fixtures::Fault::Kind::set_header, "/v2/", 20, 0, "", "",
                       "WWW-Authenticate: Bearer realm=\"http://tokens.invalid:9/token\","
                       "service=\"deskext\""});
    const auto run = c.install("plain-realm");
    c.box.check_refused(run, 5,
                        {"registry " + c.proxy.host(), "http://tokens.invalid:9/token",
                         "plain HTTP", "--insecure-registry tokens.invalid:9"});
    check_no_secrets(run);
}

TEST_CASE("a registry that stalls, or sends without end, is given up on", "[hostile][registry]") {
    // Each case would keep deskext waiting or reading for as long as the server likes; the
    // proxy gives up by itself after a minute. --timeout 2 bounds every request, retries
    // included; a body nobody reads is read to 64 KiB and no further; headers to 64 KiB.
    constexpr int k_network = 6;
    Case c;
    push_case("stalling");
    const auto started = std::chrono::steady_clock::now();
    SECTION("the API probe answered at 2 bytes a second") {
        c.proxy.add_fault({fixtures::Fault::Kind::trickle, "/v2/", 100, 2});
        const auto run = c.install("stalling", {"--timeout", "2"});
        c.box.check_refused(run, k_network, {"no complete answer within 2 s", "--timeout"});
    }
    SECTION("the manifest answered at 2 bytes a second") {
        c.proxy.add_fault({fixtures::Fault::Kind::trickle, "/manifests/stalling", 100, 2});
        const auto run = c.install("stalling", {"--timeout", "2"});
        c.box.check_refused(run, k_network, {"no complete answer within 2 s"});
    }
    SECTION("a 404 whose body never ends") {
        c.proxy.add_fault({fixtures::Fault::Kind::endless_body, "/manifests/stalling", 100, 404});
        const auto run = c.install("stalling");
        c.box.check_refused(run, k_not_found, {"stalling"});
    }
    SECTION("a 500 whose body never ends, retried") {
        c.proxy.add_fault({fixtures::Fault::Kind::endless_body, "/manifests/stalling", 100, 500});
        const auto run = c.install("stalling", {"--timeout", "5"});
        c.box.check_refused(run, k_network, {"500"});
    }
    SECTION("headers that never end") {
        c.proxy.add_fault({fixtures::Fault::Kind::endless_headers, "/manifests/stalling", 100});
        const auto run = c.install("stalling");
        c.box.check_refused(run, k_network, {"more than 64 KiB of response headers"});
    }
    // Far from the proxy's minute: deskext stopped on its own bound, not the server's.
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(40));
}
