// Mirrors and blocked registries as administrators configure them (docs/registry.md, "Mirrors
// and blocked registries"), with real registries: an origin docker-registry and a second one as
// its pull-through cache (`proxy: remoteurl:`), a mirror that is down, a mirror that serves
// corrupted blobs (the fault proxy), a registries.conf that blocks the origin or is malformed,
// a prefix rewritten to another location, and daemon.json's registry-mirrors.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "extension_fixture.hpp"
#include "fixtures/background_process.hpp"
#include "fixtures/log_text.hpp"
#include "fixtures/loopback.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using namespace deskext::testing;
namespace fs = std::filesystem;

namespace {

const std::string repo = "acme/tool-ext";

void write_text(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

// How many of a registry's requests were GETs of blobs that it answered with 200.
std::size_t blob_gets(const fixtures::TestRegistry& registry) {
    const auto requests = registry.requests();
    return static_cast<std::size_t>(
        std::count_if(requests.begin(), requests.end(), [](const auto& r) {
            return r.starts_with("GET /v2/" + repo + "/blobs/sha256:") && r.ends_with(" 200");
        }));
}

std::size_t blob_gets(const fixtures::FaultProxy& proxy) {
    const auto requests = proxy.requests();
    return static_cast<std::size_t>(std::count_if(
        requests.begin(), requests.end(),
        [](const auto& r) { return r.starts_with("GET /v2/" + repo + "/blobs/sha256:"); }));
}

// Waits (at most 20 s) until a pull-through cache's storage under `storage` holds every blob it
// served: docker-registry stores a blob it streamed from the remote with a second fetch of its
// own, in the background, which may still run when the client has its copy.
bool cache_holds_served_blobs(const fixtures::TestRegistry& cache, const fs::path& storage) {
    std::vector<std::string> digests;
    for (const auto& request : cache.requests()) {
        const std::string marker = "/blobs/sha256:";
        const auto at = request.find(marker);
        if (request.starts_with("GET ") && at != std::string::npos)
            digests.push_back(request.substr(at + marker.size(), 64));
    }
    for (int waited = 0; waited < 400; ++waited) {
        const bool all = std::all_of(digests.begin(), digests.end(), [&](const auto& hex) {
            return fs::exists(storage / "docker" / "registry" / "v2" / "blobs" / "sha256" /
                              hex.substr(0, 2) / hex / "data");
        });
        if (all) return true;
        fixtures::sleep_ms(50);
    }
    return false;
}

// The directory of acme/tool-ext, from whatever registry (docs/cli.md, "Extension identity").
const std::string ext_dir = "acme_tool-ext";

struct Origin {
    fixtures::TempDir work{"deskext-mirror-"};
    fs::path layout = work / "layout";
    std::unique_ptr<fixtures::TestRegistry> registry;
    std::string digest;

    Origin() {
        fixtures::write_multi_arch_image(layout, "1.0.0", tool_extension_variants());
        registry =
            std::make_unique<fixtures::TestRegistry>(work / "origin", fixtures::RegistryOptions{});
        digest = registry->push(layout, "1.0.0", repo + ":1.0.0");
    }
    [[nodiscard]] std::string host() const { return registry->host(); }
};

// One install of `source` into a fresh root and cache of `home`, as --json.
Run install(const fixtures::TempDir& home, const std::string& run_name, const std::string& source,
            std::vector<std::string> extra_args = {}, std::map<std::string, std::string> env = {}) {
    env.emplace("DESKEXT_CACHE_DIR", (home / ("cache-" + run_name)).string());
    env.emplace("XDG_CONFIG_HOME", (home / ".config").string());
    env.emplace("DOCKER_CONFIG", (home / ".docker").string());
    std::vector<std::string> args{"install",     source,   "--platform",
                                  "linux/amd64", "--root", (home / ("root-" + run_name)).string(),
                                  "--json"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return run_deskext(args, home.path(), env);
}

std::vector<std::string> mirrors_of(const Run& run) {
    return run.last().value("mirrors", std::vector<std::string>{});
}

}  // namespace

TEST_CASE("registry mirrors: a pull-through cache serves the install, also with the origin down",
          "[integration][registry][mirrors]") {
    Origin origin;
    fixtures::RegistryOptions cache_options;
    cache_options.proxy_remote_url = "http://" + origin.host();
    fixtures::TestRegistry mirror(origin.work / "mirror", cache_options);

    fixtures::TempDir home;
    // The user's registries.conf ($XDG_CONFIG_HOME/containers/registries.conf).
    write_text(home / ".config" / "containers" / "registries.conf",
               "# the site's pull-through cache\n[[registry]]\nlocation = \"" + origin.host() +
                   "\"\n[[registry.mirror]]\nlocation = \"" + mirror.host() + "\"\n");
    const std::string source = origin.host() + "/" + repo + ":1.0.0";

    auto first = install(home, "first", source);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(mirrors_of(first) == std::vector<std::string>{mirror.host()});
    CHECK(blob_gets(mirror) >= 2);  // the config and the layers came from the mirror
    // The extension is the origin's: named and recorded after the reference as given.
    const auto directory = home / "root-first" / ext_dir;
    auto state = nlohmann::json::parse(slurp(directory / ".deskext" / "state.json"));
    CHECK(state["source"] == "docker://" + source);
    CHECK(state["index_digest"] == origin.digest);

    // With the origin stopped, the cache still serves the tag and every blob.
    REQUIRE(cache_holds_served_blobs(mirror, origin.work / "mirror" / "storage"));
    origin.registry->stop();
    const auto before = blob_gets(mirror);
    auto second = install(home, "second", source);
    INFO(second.err);
    REQUIRE(second.exit_code == 0);
    CHECK(mirrors_of(second) == std::vector<std::string>{mirror.host()});
    CHECK(blob_gets(mirror) >= before + 2);
    auto first_tree = read_tree(directory);
    auto second_tree = read_tree(home / "root-second" / ext_dir);
    first_tree.erase(".deskext/state.json");  // its installed_at differs
    second_tree.erase(".deskext/state.json");
    CHECK(second_tree == first_tree);

    // ls shows where it came from: the origin's reference.
    auto listed =
        run_deskext({"ls", "--root", (home / "root-second").string(), "--json"}, home.path());
    REQUIRE(listed.exit_code == 0);
    CHECK(listed.last()["extensions"][0]["source"] == "docker://" + source);
}

TEST_CASE("registry mirrors: a mirror that is down is passed over for the origin",
          "[integration][registry][mirrors]") {
    Origin origin;
    fixtures::TempDir home;
    const std::string down = "127.0.0.1:" + std::to_string(fixtures::free_loopback_port());
    const auto conf = home / "registries.conf";
    write_text(conf, "[[registry]]\nprefix = \"" + origin.host() + "\"\nlocation = \"" +
                         origin.host() + "\"\n[[registry.mirror]]\nlocation = \"" + down +
                         "\"\ninsecure = true\n");
    const std::string source = origin.host() + "/" + repo + "@" + origin.digest;
    auto run = install(home, "down", source, {"--registries-conf", conf.string()});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(mirrors_of(run).empty());
    CHECK(blob_gets(*origin.registry) >= 2);

    // When the origin fails too, its error is the one reported, with what the mirror answered.
    auto missing = install(home, "missing", origin.host() + "/" + repo + ":9.9.9",
                           {"--registries-conf", conf.string()});
    CHECK(missing.exit_code == 3);
    CHECK_THAT(missing.last()["message"].get<std::string>(),
               Catch::Contains("(mirrors asked first: " + down + ": "));
}

TEST_CASE("registry mirrors: a mirror serving other bytes is refused, the origin serves them",
          "[integration][registry][mirrors]") {
    Origin origin;
    fixtures::FaultProxy lying(origin.work / "lying", origin.host());
    fixtures::Fault corrupt;
    corrupt.kind = fixtures::Fault::Kind::corrupt_byte;
    corrupt.path_contains = "/blobs/";
    corrupt.times = 1000;
    corrupt.value = 10;
    lying.add_fault(corrupt);

    fixtures::TempDir home;
    const auto conf = home / "registries.conf";
    write_text(conf, "[[registry]]\nlocation = \"" + origin.host() +
                         "\"\n[[registry.mirror]]\nlocation = \"" + lying.host() + "\"\n");
    // Pinned by digest: the index and the manifest from the mirror match it; its blobs do not.
    const std::string source = origin.host() + "/" + repo + "@" + origin.digest;
    auto run = install(home, "lying", source, {}, {{"DESKEXT_REGISTRIES_CONF", conf.string()}});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    // The mirror was asked for one blob (the config), which did not match, and for no other;
    // the origin served them itself (the proxy's requests reach it too, hence more there).
    CHECK(blob_gets(lying) == 1);
    CHECK(blob_gets(*origin.registry) >= blob_gets(lying) + 2);
    fixtures::TempDir offline_home;
    auto offline =
        run_deskext({"install", "oci:" + origin.layout.string() + ":1.0.0", "--name", "offline",
                     "--platform", "linux/amd64", "--root", (offline_home / "root").string()},
                    offline_home.path());
    REQUIRE(offline.exit_code == 0);
    auto installed = read_tree(home / "root-lying" / ext_dir);
    auto expected = read_tree(offline_home / "root" / "offline");
    installed.erase(".deskext/state.json");
    expected.erase(".deskext/state.json");
    CHECK(installed == expected);

    // A manifest that does not match the digest it is asked by is refused the same way.
    fixtures::FaultProxy lying_manifests(origin.work / "lying-manifests", origin.host());
    corrupt.path_contains = "/manifests/sha256:";
    corrupt.value = 5;
    lying_manifests.add_fault(corrupt);
    write_text(conf, "[[registry]]\nlocation = \"" + origin.host() +
                         "\"\n[[registry.mirror]]\nlocation = \"" + lying_manifests.host() +
                         "\"\n");
    auto again = install(home, "lying-manifests", source, {"--registries-conf", conf.string()});
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    CHECK(mirrors_of(again).empty());
}

TEST_CASE("registry mirrors: a blocked registry is refused with exit 12, writing nothing",
          "[integration][registry][mirrors]") {
    Origin origin;
    fixtures::TempDir home;
    const auto conf = home / "registries.conf";
    write_text(conf, "[[registry]]\nlocation = \"" + origin.host() +
                         "\"\n\n[[registry]]\nprefix = \"" + origin.host() + "/acme\"\n" +
                         "blocked = true\n");
    const auto requests_before = origin.registry->requests().size();
    auto run = install(home, "blocked", origin.host() + "/" + repo + ":1.0.0",
                       {"--registries-conf", conf.string()});
    CHECK(run.exit_code == 12);
    CHECK(run.last()["event"] == "error");
    CHECK(run.last()["code"] == "policy");
    CHECK(run.last()["exit"] == 12);
    const auto message = run.last()["message"].get<std::string>();
    CHECK_THAT(message, Catch::Contains(conf.string() + ":4"));
    CHECK_THAT(message, Catch::Contains("\"" + origin.host() + "/acme\""));
    CHECK_FALSE(fs::exists(home / "root-blocked" / ext_dir));
    CHECK(origin.registry->requests().size() == requests_before);

    // Another repository of the registry is not blocked: the longer prefix alone is.
    auto other =
        install(home, "other", origin.host() + "/acmeco/x:1", {"--registries-conf", conf.string()});
    CHECK(other.exit_code == 3);
}

TEST_CASE("registry mirrors: a malformed registries.conf names the file and line",
          "[integration][registry][mirrors]") {
    Origin origin;
    fixtures::TempDir home;
    const auto conf = home / "registries.conf";
    write_text(conf, "[[registry]]\nlocation = \"" + origin.host() + "\"\nblocked = yes\n");
    auto run = install(home, "malformed", origin.host() + "/" + repo + ":1.0.0", {},
                       {{"DESKEXT_REGISTRIES_CONF", conf.string()}});
    CHECK(run.exit_code == 2);
    CHECK(run.last()["code"] == "usage");
    CHECK_THAT(run.last()["message"].get<std::string>(),
               Catch::Contains(conf.string() +
                               ":3: only strings, booleans and arrays of strings are read here"));
    // --registries-conf wins over the environment; a file that is not there is an error too.
    auto missing = install(home, "missing", origin.host() + "/" + repo + ":1.0.0",
                           {"--registries-conf", (home / "nope.conf").string()},
                           {{"DESKEXT_REGISTRIES_CONF", conf.string()}});
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.last()["message"].get<std::string>(), Catch::Contains("nope.conf"));
}

TEST_CASE("registry mirrors: a prefix is rewritten to its location",
          "[integration][registry][mirrors]") {
    Origin origin;
    fixtures::TempDir home;
    // registry.corp.example does not resolve: only its location is ever contacted.
    write_text(home / ".config" / "containers" / "registries.conf",
               "[[registry]]\nprefix = \"registry.corp.example/team\"\nlocation = \"" +
                   origin.host() + "/acme\"\n");
    const std::string source = "registry.corp.example/team/tool-ext:1.0.0";
    auto run = install(home, "rewritten", source);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(mirrors_of(run).empty());
    CHECK(run.last()["name"] == "team_tool-ext");  // the repository path as given
    auto state = nlohmann::json::parse(
        slurp(home / "root-rewritten" / "team_tool-ext" / ".deskext" / "state.json"));
    CHECK(state["source"] == "docker://" + source);
    CHECK(blob_gets(*origin.registry) >= 2);
}

TEST_CASE(
    "registry mirrors: daemon.json's registry-mirrors serve Docker Hub, with the mirror's "
    "credentials",
    "[integration][registry][mirrors]") {
    Origin origin;
    fixtures::RegistryOptions options;
    options.htpasswd = {{"mirror-user", "mirror-pw-5e1d"}};
    fixtures::TestRegistry mirror(origin.work / "hub-mirror", options);
    mirror.push(origin.layout, "1.0.0", repo + ":1.0.0");

    fixtures::TempDir home;
    write_text(home / ".docker" / "daemon.json",
               R"({"registry-mirrors": ["http://)" + mirror.host() + R"("]})");
    // The credentials of the host contacted: the mirror's, under its own name.
    write_text(home / ".docker" / "config.json",
               R"({"auths":{")" + mirror.host() + R"(":{"auth":")" +
                   fixtures::base64("mirror-user:mirror-pw-5e1d") + R"("}}})");
    // An empty registries.conf: no rule matches docker.io, so daemon.json decides.
    write_text(home / "empty.conf", "");
    // Docker Hub itself is never reached from a test: were it asked, it would be through a
    // proxy on loopback that is not there (the loopback mirror is not proxied).
    const std::string nowhere =
        "http://127.0.0.1:" + std::to_string(fixtures::free_loopback_port());
    auto run = install(home, "hub", "acme/tool-ext:1.0.0",
                       {"--registries-conf", (home / "empty.conf").string()},
                       {{"HTTPS_PROXY", nowhere},
                        {"HTTP_PROXY", nowhere},
                        {"NO_PROXY", ""},
                        {"https_proxy", nowhere},
                        {"http_proxy", nowhere},
                        {"no_proxy", ""}});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(mirrors_of(run) == std::vector<std::string>{mirror.host()});
    CHECK(run.last()["name"] == "acme_tool-ext");
    CHECK(blob_gets(mirror) >= 2);
}
