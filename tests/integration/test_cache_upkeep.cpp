// The blob cache does not grow: after each install, update and uninstall it holds what the
// installed extensions need for an update and nothing else; DESKEXT_CACHE_MAX caps it, least
// recently used first; `deskext cache ls` and `deskext cache prune` show and empty it; a prune
// never removes what an install in progress uses (the cache's lock). The real deskext binary
// against a real registry (tests/fixtures/test_registry.hpp).

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <set>
#include <thread>

#include "deskext/platform/file_lock.hpp"
#include "extension_fixture.hpp"
#include "fixtures/files.hpp"
#include "fixtures/log_text.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using namespace deskext::testing;
using namespace std::chrono_literals;
using fixtures::count_containing;
using fixtures::joined;
namespace fs = std::filesystem;

namespace {

const std::string repo = "acme/tool-ext";
constexpr std::size_t versions = 6;  // an install and five updates

std::string version_tag(std::size_t i) { return std::to_string(i + 1) + ".0.0"; }

// Six versions of the test extension, each with a top layer of its own (a VERSION file), pushed
// to a plain-HTTP registry on loopback; built once per test process.
struct Versions {
    fixtures::TempDir dir{"deskext-cache-"};
    std::unique_ptr<fixtures::TestRegistry> registry;
    std::vector<ImageBlobs> images;

    Versions() {
        registry = std::make_unique<fixtures::TestRegistry>(dir / "registry",
                                                            fixtures::RegistryOptions{});
        for (std::size_t i = 0; i < versions; ++i) {
            auto variants = tool_extension_variants(version_tag(i));
            for (auto& v : variants)
                v.layers.back().push_back(fixtures::file("VERSION", version_tag(i) + "\n"));
            const auto layout = dir / ("layout-" + version_tag(i));
            fixtures::write_multi_arch_image(layout, version_tag(i), variants);
            registry->push(layout, version_tag(i), repo + ":" + version_tag(i));
            images.push_back(image_blobs(layout, "amd64"));
        }
    }
    [[nodiscard]] std::string reference(std::size_t i) const {
        return registry->host() + "/" + repo + ":" + version_tag(i);
    }
};

Versions& world() {
    static Versions v;
    return v;
}

// A home with a cache of its own; deskext runs with it and, when given, DESKEXT_CACHE_MAX.
struct Client {
    fixtures::TempDir home{"deskext-cache-home-"};
    fs::path root = home / "root";
    fs::path cache = home / "cache";
    std::string cache_max;

    [[nodiscard]] Run run(std::vector<std::string> args, const fs::path& into = {}) const {
        args.insert(args.end(), {"--root", (into.empty() ? root : into).string(), "--json"});
        std::map<std::string, std::string> env{{"DESKEXT_CACHE_DIR", cache.string()}};
        if (!cache_max.empty()) env["DESKEXT_CACHE_MAX"] = cache_max;
        return run_deskext(args, home.path(), env);
    }
    [[nodiscard]] Run install(std::size_t version, const std::string& command = "install",
                              const fs::path& into = {}) const {
        return run({command, world().reference(version), "--platform", "linux/amd64"}, into);
    }
    // The names of the files in one of the cache's entry directories ("blobs", "index",
    // "manifests"), as digests.
    [[nodiscard]] std::set<std::string> entries(const std::string& kind) const {
        std::set<std::string> digests;
        if (!fs::exists(cache / kind / "sha256")) return digests;
        for (const auto& name : fixtures::names_in(cache / kind / "sha256"))
            digests.insert("sha256:" + name);
        return digests;
    }
};

std::set<std::string> blobs_of(const ImageBlobs& image) {
    std::set<std::string> digests{image.config.digest};
    for (const auto& layer : image.layers) digests.insert(layer.digest);
    return digests;
}

std::string blob_get(const std::string& digest) {
    return "GET /v2/" + repo + "/blobs/" + digest + " 200";
}

void require_ok(const Run& run) {
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    REQUIRE(run.last()["event"] == "result");
}

// What `cache ls --json` reported, by digest and kind ("blob:sha256:…").
std::map<std::string, nlohmann::json> listed(const Run& ls) {
    std::map<std::string, nlohmann::json> out;
    for (const auto& entry : ls.last()["entries"])
        out[entry["kind"].get<std::string>() + ":" + entry["digest"].get<std::string>()] = entry;
    return out;
}

long total_size(const Run& ls, bool only_used) {
    long total = 0;
    for (const auto& entry : ls.last()["entries"])
        if (!only_used || entry["used"] == true) total += entry["size"].get<long>();
    return total;
}

}  // namespace

TEST_CASE("cache upkeep: install, five updates and an uninstall keep only what an update needs",
          "[integration][registry][cache]") {
    auto& w = world();
    Client client;
    std::string name;
    for (std::size_t i = 0; i < versions; ++i) {
        INFO("version " << version_tag(i));
        const auto before = w.registry->requests();
        auto run = client.install(i, i == 0 ? "install" : "update");
        require_ok(run);
        name = run.last()["name"].get<std::string>();
        // Only the layer that changed (and the config) was fetched: the others were kept.
        const auto after = w.registry->requests();
        const std::vector<std::string> during(after.begin() + static_cast<long>(before.size()),
                                              after.end());
        INFO(joined(during));
        for (std::size_t l = 0; l < w.images[i].layers.size(); ++l) {
            const auto& layer = w.images[i].layers[l];
            const bool fresh = i == 0 || layer.digest != w.images[i - 1].layers[l].digest;
            CHECK(count_containing(during, blob_get(layer.digest)) == (fresh ? 1 : 0));
        }
        // The cache holds the blobs of the installed version, the manifest it installed and the
        // indexes of its layers: nothing of the versions before.
        CHECK(client.entries("blobs") == blobs_of(w.images[i]));
        CHECK(client.entries("manifests") == std::set<std::string>{w.images[i].manifest.digest});
        for (const auto& digest : client.entries("index"))
            CHECK(blobs_of(w.images[i]).contains(digest));
        auto ls = client.run({"cache", "ls"});
        require_ok(ls);
        for (const auto& entry : ls.last()["entries"]) CHECK(entry["used"] == true);
    }
    REQUIRE(w.images[0].layers.front().digest == w.images[versions - 1].layers.front().digest);

    require_ok(client.run({"uninstall", name}));
    CHECK(client.entries("blobs").empty());
    CHECK(client.entries("manifests").empty());
    CHECK(client.entries("index").empty());
}

TEST_CASE("cache upkeep: another root's extensions keep their blobs",
          "[integration][registry][cache]") {
    auto& w = world();
    Client client;
    const auto other = client.home / "other-root";
    auto first = client.install(0);
    require_ok(first);
    require_ok(client.install(1, "install", other));
    // Each root's version stays: both are installed, the cache is shared.
    CHECK(client.entries("blobs") == [&] {
        auto both = blobs_of(w.images[0]);
        both.merge(blobs_of(w.images[1]));
        return both;
    }());
    // The cache knows where to look: uninstalling from one root keeps what the other needs.
    require_ok(client.run({"uninstall", first.last()["name"].get<std::string>()}));
    CHECK(client.entries("blobs") == blobs_of(w.images[1]));
    // A root that is gone needs nothing.
    fs::remove_all(other);
    auto pruned = client.run({"cache", "prune"});
    require_ok(pruned);
    CHECK(client.entries("blobs").empty());
}

TEST_CASE("cache upkeep: DESKEXT_CACHE_MAX evicts the least recently used entries",
          "[integration][registry][cache]") {
    auto& w = world();
    Client client;
    const auto other = client.home / "other-root";
    require_ok(client.install(0, "install", other));
    require_ok(client.install(1));
    auto ls = client.run({"cache", "ls"});
    require_ok(ls);
    const long all = total_size(ls, false);
    const long used_here = total_size(ls, true);
    REQUIRE(used_here < all);

    // Room for what version 2 uses only: the entries of version 1 alone were used before any of
    // version 2's (the layers both share were read again by the second install), so they go.
    client.cache_max = std::to_string(used_here);
    auto capped = client.run({"cache", "prune"});
    require_ok(capped);
    CHECK(capped.last()["freed"] == all - used_here);
    CHECK(capped.last()["bytes"] == used_here);
    CHECK(client.entries("blobs") == blobs_of(w.images[1]));

    // The root whose blobs were evicted still installs again: it fetches them.
    const auto before = w.registry->requests();
    require_ok(client.run({"install", w.reference(0), "--platform", "linux/amd64", "--force"},
                          other));
    const auto after = w.registry->requests();
    CHECK(count_containing(after, blob_get(w.images[0].config.digest)) >
          count_containing(before, blob_get(w.images[0].config.digest)));

    // A suffix is understood; the cap applies after an install too.
    client.cache_max = "1K";
    require_ok(client.install(1, "install", client.home / "third-root"));
    long left = 0;
    for (const auto& kind : {"blobs", "index", "manifests"})
        for (const auto& digest : client.entries(kind))
            left += static_cast<long>(fs::file_size(client.cache / kind / "sha256" /
                                                    digest.substr(7)));
    CHECK(left <= 1024);

    client.cache_max = "lots";
    auto refused = client.install(1);
    CHECK(refused.exit_code == 2);
    CHECK(refused.last()["message"].get<std::string>().find("DESKEXT_CACHE_MAX") !=
          std::string::npos);
}

TEST_CASE("cache upkeep: cache ls and cache prune, for people and in JSON",
          "[integration][registry][cache]") {
    auto& w = world();
    Client client;
    const auto other = client.home / "other-root";
    require_ok(client.install(0));
    require_ok(client.install(1, "install", other));

    auto ls = client.run({"cache", "ls"});
    require_ok(ls);
    const auto& result = ls.last();
    CHECK(result["command"] == "cache");
    CHECK(result["action"] == "ls");
    CHECK(reports_path(result["cache"].get<std::string>(), client.cache));
    CHECK(reports_path(result["root"].get<std::string>(), client.root));
    const auto entries = listed(ls);
    CHECK(result["count"] == entries.size());
    CHECK(result["bytes"] == total_size(ls, false));
    // Used: what the extension installed in --root needs; the other root's version is not.
    for (const auto& digest : blobs_of(w.images[0])) {
        REQUIRE(entries.contains("blob:" + digest));
        CHECK(entries.at("blob:" + digest)["used"] == true);
    }
    const auto only_other = w.images[1].layers.back().digest;
    REQUIRE(only_other != w.images[0].layers.back().digest);
    CHECK(entries.at("blob:" + only_other)["used"] == false);
    CHECK(entries.at("blob:" + only_other)["size"] == w.images[1].layers.back().size);
    CHECK(entries.at("manifest:" + w.images[0].manifest.digest)["used"] == true);
    CHECK(entries.at("blob:" + only_other)["last_used"].get<std::string>().ends_with("Z"));

    // For people: a line per entry and the total.
    auto human = run_deskext({"cache", "ls", "--root", client.root.string()}, client.home.path(),
                             {{"DESKEXT_CACHE_DIR", client.cache.string()}});
    INFO(human.err);
    REQUIRE(human.exit_code == 0);
    CHECK(human.out.find(only_other) != std::string::npos);
    CHECK(human.out.find(std::to_string(entries.size()) + " entries") != std::string::npos);

    // A temporary file a killed download left goes with the next prune.
    const auto dead = client.cache / "blobs" / "sha256" / ".tmp-0123456789abcdef-killed";
    std::ofstream(dead) << "partial";

    // The other root is still there: its version stays.
    auto kept = client.run({"cache", "prune"});
    require_ok(kept);
    CHECK(kept.last()["action"] == "prune");
    CHECK(kept.last()["all"] == false);
    CHECK(kept.last()["removed"] == 1);
    CHECK(kept.last()["freed"] == 7);
    CHECK(!fs::exists(dead));
    CHECK(client.entries("blobs").contains(only_other));

    fs::remove_all(other);
    auto pruned = client.run({"cache", "prune"});
    require_ok(pruned);
    CHECK(pruned.last()["removed"].get<long>() >= 1);
    CHECK(pruned.last()["freed"] == total_size(ls, false) - total_size(ls, true));
    CHECK(pruned.last()["bytes"] == total_size(ls, true));
    CHECK(client.entries("blobs") == blobs_of(w.images[0]));

    auto everything = client.run({"cache", "prune", "--all"});
    require_ok(everything);
    CHECK(everything.last()["all"] == true);
    CHECK(everything.last()["bytes"] == 0);
    CHECK(everything.last()["kept"] == 0);
    CHECK(client.entries("blobs").empty());
    auto empty = client.run({"cache", "ls"});
    require_ok(empty);
    CHECK(empty.last()["count"] == 0);
    CHECK(empty.last()["entries"].empty());

    // The extension still updates from an empty cache: it fetches everything.
    require_ok(client.install(1, "update"));

    CHECK(client.run({"cache", "tidy"}).exit_code == 2);
    CHECK(client.run({"cache"}).exit_code == 2);
    CHECK(client.run({"cache", "ls", "--all"}).exit_code == 2);
}

// A process reading the cache holds its lock shared (an install does from its first use of the
// cache to its end); a prune needs it alone. Held here by the test, as an install holds it.
TEST_CASE("cache upkeep: no prune while another process uses the cache",
          "[integration][registry][cache]") {
    auto& w = world();
    Client client;
    require_ok(client.install(0));
    require_ok(client.install(1, "update"));
    const auto kept = client.entries("blobs");
    fs::remove_all(client.root);
    {
        auto reader = platform::FileLock::acquire(client.cache / "lock",
                                                  platform::LockMode::shared, platform::no_wait);
        REQUIRE(reader);
        auto busy = client.run({"cache", "prune"});
        CHECK(busy.exit_code == 10);
        CHECK(busy.last()["code"] == "busy");
        CHECK(busy.last()["message"].get<std::string>().find("--wait") != std::string::npos);
        auto all = client.run({"cache", "prune", "--all", "--wait=0.2"});
        CHECK(all.exit_code == 10);
        // An install meanwhile succeeds; its own prune waits for a later command.
        auto install = client.install(0, "install", client.home / "another-root");
        require_ok(install);
        CHECK(install.of("warning").empty());
        const auto now = client.entries("blobs");
        for (const auto& digest : kept) CHECK(now.contains(digest));
    }
    require_ok(client.run({"cache", "prune"}));
    CHECK(client.entries("blobs") == blobs_of(w.images[0]));
}

// The same with a real install in progress: its blobs arrive late, a prune run meanwhile is
// busy, and one that waits prunes after it, keeping everything the new install uses.
TEST_CASE("cache upkeep: a prune waits for an install in progress and keeps what it installed",
          "[integration][registry][cache]") {
    auto& w = world();
    Client client;
    require_ok(client.install(0));
    fixtures::TempDir work;
    fixtures::FaultProxy proxy(work / "proxy", w.registry->host());
    const auto late = w.images[2].layers.back().digest;
    proxy.add_fault({fixtures::Fault::Kind::delay_ms, late, 1, 4000, "", ""});
    const auto other = client.home / "other-root";
    auto installing = spawn_deskext({"install", proxy.host() + "/" + repo + ":" + version_tag(2),
                                     "--platform", "linux/amd64", "--root", other.string()},
                                    client.home.path(),
                                    {{"DESKEXT_CACHE_DIR", client.cache.string()}});
    // A blob's temporary file in the cache: the install holds the cache's lock until it ends,
    // which the late layer puts 4 s away at least.
    const auto downloading = [&] {
        for (const auto& name : fixtures::names_in(client.cache / "blobs" / "sha256"))
            if (name.starts_with(".tmp-")) return true;
        return false;
    };
    for (int waited = 0; !downloading() && waited < 60'000; waited += 20)
        std::this_thread::sleep_for(20ms);
    REQUIRE(downloading());

    auto busy = client.run({"cache", "prune", "--all"});
    CHECK(busy.exit_code == 10);
    auto waiting = client.run({"cache", "prune", "--wait"});
    CHECK(installing.wait() == 0);
    require_ok(waiting);
    // Both roots' versions stay: the new install registered its root before it began.
    auto both = blobs_of(w.images[0]);
    both.merge(blobs_of(w.images[2]));
    CHECK(client.entries("blobs") == both);
    auto ls = client.run({"cache", "ls"}, other);
    require_ok(ls);
    for (const auto& digest : blobs_of(w.images[2]))
        CHECK(listed(ls).at("blob:" + digest)["used"] == true);
}
