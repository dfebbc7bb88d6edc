// One extension, one identity, whatever the source (docs/cli.md, "Extension identity"): the same
// image reached through 127.0.0.1 and localhost, copied by skopeo into archives, exported by
// deskext, is one extension; extensions installed under the former directory names keep working
// and move to their identity's directory when updated.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "extension_fixture.hpp"
#include "fixtures/files.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using namespace deskext::testing;
namespace fs = std::filesystem;

namespace {

const std::string repo = "acme/tool-ext";
const std::string ext = "acme_tool-ext";

// A loopback registry holding acme/tool-ext:1.0.0 and :2.0.0, and a deskext home to run in.
struct World {
    fixtures::TempDir work{"deskext-identity-"};
    fixtures::TempDir home;
    fs::path root = home / "root";
    std::unique_ptr<fixtures::TestRegistry> registry;
    std::string by_ip;         // 127.0.0.1:PORT/acme/tool-ext
    std::string by_localhost;  // localhost:PORT/acme/tool-ext

    World() {
        for (const std::string version : {"1.0.0", "2.0.0"})
            fixtures::write_multi_arch_image(work / version, version,
                                             tool_extension_variants(version));
        registry = std::make_unique<fixtures::TestRegistry>(work / "registry",
                                                            fixtures::RegistryOptions{});
        for (const std::string version : {"1.0.0", "2.0.0"})
            registry->push(work / version, version, repo + ":" + version);
        const auto host = registry->host();
        by_ip = host + "/" + repo;
        by_localhost = "localhost:" + host.substr(host.rfind(':') + 1) + "/" + repo;
    }

    Run run(std::vector<std::string> args, const std::map<std::string, std::string>& env = {}) {
        args.insert(args.end(), {"--root", root.string(), "--json"});
        auto all_env = env;
        all_env["DESKEXT_CACHE_DIR"] = (home / "cache").string();
        auto result = run_deskext(args, home.path(), all_env);
        INFO(result.err << result.out);
        return result;
    }
    Run install(const std::string& command, const std::string& source,
                std::vector<std::string> extra = {}) {
        std::vector<std::string> args{command, source, "--platform", "linux/amd64"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(args);
    }
    // What `ls` lists.
    nlohmann::json listed() {
        auto ls = run({"ls"});
        REQUIRE(ls.exit_code == 0);
        return ls.last()["extensions"];
    }
    // The image of the registry copied by skopeo to `destination`, for linux/amd64.
    void copy_out(const std::string& tag, const std::string& destination) {
        skopeo_copy({"--src-tls-verify=false", "--override-os", "linux", "--override-arch", "amd64",
                     "docker://" + registry->host() + "/" + repo + ":" + tag, destination});
    }
};

// The one extension `ls` lists must be acme_tool-ext at `version`, installed from `source`.
void check_one(World& w, const std::string& version, const std::string& source) {
    // First: it removes what a killed run left, which the root must not hold.
    CHECK(w.run({"verify", ext}).exit_code == 0);
    const auto extensions = w.listed();
    INFO(extensions.dump());
    REQUIRE(extensions.size() == 1);
    CHECK(extensions[0]["name"] == ext);
    CHECK(extensions[0]["version"] == version);
    CHECK(extensions[0]["source"] == source);
    CHECK(fixtures::names_in(w.root) == std::vector<std::string>{ext});
}

void check_installed(const Run& run, const std::string& version, bool unchanged = false) {
    INFO(run.err << run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(run.last()["name"] == ext);
    CHECK(run.last()["version"] == version);
    CHECK(run.last()["unchanged"] == unchanged);
}

// Makes `dir` what earlier versions of deskext left: an install in a directory named after the
// image with its registry host, whose record says that name.
void record_as(const fs::path& dir, const std::string& image) {
    auto state = nlohmann::json::parse(slurp(dir / ".deskext" / "state.json"));
    state["name"] = dir.filename().string();
    state["image"] = image;
    std::ofstream(dir / ".deskext" / "state.json", std::ios::trunc) << state.dump(2) << "\n";
}

std::string former_name(const std::string& host) {
    std::string name = host + "/" + repo;
    for (auto& c : name)
        if (c == '/' || c == ':') c = '_';
    return name;
}

// An update to 2.0.0 through localhost, killed at a named crash point.
void update_killed_at(World& w, const std::string& point) {
    auto killed = w.run({"update", w.by_localhost + ":2.0.0", "--platform", "linux/amd64"},
                        {{"DESKEXT_CRASH_AT", point}});
    CHECK(killed.exit_code == killed_exit_code());
}

}  // namespace

TEST_CASE("identity: 127.0.0.1 and localhost are one registry, one extension",
          "[integration][identity]") {
    World w;
    check_installed(w.install("install", w.by_ip + ":1.0.0"), "1.0.0");
    check_one(w, "1.0.0", "docker://" + w.by_ip + ":1.0.0");

    // The same image by the other name changes nothing; a new version updates the one extension.
    check_installed(w.install("update", w.by_localhost + ":1.0.0"), "1.0.0", true);
    check_installed(w.install("update", w.by_localhost + ":2.0.0"), "2.0.0");
    check_one(w, "2.0.0", "docker://" + w.by_localhost + ":2.0.0");
    check_installed(w.install("install", w.by_ip + ":2.0.0"), "2.0.0", true);

    // verify and uninstall take any name of it.
    CHECK(w.run({"verify", w.by_ip}).exit_code == 0);
    CHECK(w.run({"verify", w.by_localhost + ":2.0.0"}).exit_code == 0);
    CHECK(w.run({"verify", repo}).exit_code == 0);
    auto removed = w.run({"uninstall", w.by_ip + ":1.0.0"});
    REQUIRE(removed.exit_code == 0);
    CHECK(removed.last()["name"] == ext);
    CHECK(w.listed().empty());
}

TEST_CASE("identity: a registry install updated from skopeo's archives and layouts",
          "[integration][identity]") {
    World w;
    check_installed(w.install("install", w.by_ip + ":1.0.0"), "1.0.0");

    SECTION("an oci-archive named by its full reference, as skopeo and podman write it") {
        const auto archive = (w.work / "ext.tar").string();
        w.copy_out("2.0.0", "oci-archive:" + archive + ":" + repo + ":2.0.0");
        const auto source = "oci-archive:" + archive + ":" + repo + ":2.0.0";
        check_installed(w.install("update", source), "2.0.0");
        check_one(w, "2.0.0", source);
        // podman names what it built localhost/NAME: the same extension.
        const auto podman = (w.work / "podman.tar").string();
        w.copy_out("1.0.0", "oci-archive:" + podman + ":localhost/" + repo + ":1.0.0");
        check_installed(w.install("update", "oci-archive:" + podman), "1.0.0");
        check_one(w, "1.0.0", "oci-archive:" + podman);
    }
    SECTION("a docker-archive whose RepoTags name the registry") {
        const auto archive = (w.work / "docker.tar").string();
        w.copy_out("2.0.0", "docker-archive:" + archive + ":" + w.by_localhost + ":2.0.0");
        check_installed(w.install("update", "docker-archive:" + archive), "2.0.0");
        check_one(w, "2.0.0", "docker-archive:" + archive);
        // Back from the registry: the same extension again.
        check_installed(w.install("update", w.by_ip + ":1.0.0"), "1.0.0");
        check_one(w, "1.0.0", "docker://" + w.by_ip + ":1.0.0");
    }
    SECTION("a layout entry named by its tag alone, with --name") {
        const auto layout = (w.work / "layout").string();
        w.copy_out("2.0.0", "oci:" + layout + ":2.0.0");
        auto nameless = w.install("update", "oci:" + layout + ":2.0.0");
        CHECK(nameless.exit_code == 2);
        CHECK_THAT(nameless.last()["message"].get<std::string>(), Catch::Contains("--name"));
        // The tag is the version, not lost to --name.
        check_installed(w.install("update", "oci:" + layout + ":2.0.0", {"--name", repo}), "2.0.0");
        check_one(w, "2.0.0", "oci:" + layout + ":2.0.0");
        // --name is an identity too: a registry's name of it is the same extension.
        check_installed(w.install("update", w.by_ip + ":1.0.0", {"--name", w.by_localhost}),
                        "1.0.0");
        check_one(w, "1.0.0", "docker://" + w.by_ip + ":1.0.0");
    }
}

// What `skopeo copy … oci-archive:F:acme/example-extension:0.0.1` writes installs as
// acme/example-extension 0.0.1: the version is the tag (the image's version label says 1.0.0).
TEST_CASE("identity: an oci-archive whose ref.name is a full reference",
          "[integration][identity]") {
    World w;
    const auto archive = (w.work / "example.tar").string();
    skopeo_copy({"--all", "oci:" + (w.work / "1.0.0").string() + ":1.0.0",
                 "oci-archive:" + archive + ":acme/example-extension:0.0.1"});
    const auto source = "oci-archive:" + archive + ":acme/example-extension:0.0.1";
    for (const auto& form : {source, archive}) {
        INFO(form);
        auto run = w.install("install", form, {"--force"});
        REQUIRE(run.exit_code == 0);
        CHECK(run.last()["name"] == "acme_example-extension");
        CHECK(run.last()["version"] == "0.0.1");
    }
    // --name renames it; the version stays the tag.
    auto named = w.install("install", source, {"--name", "other/ext"});
    REQUIRE(named.exit_code == 0);
    CHECK(named.last()["name"] == "other_ext");
    CHECK(named.last()["version"] == "0.0.1");
    auto ls = w.run({"ls"});
    CHECK_THAT(ls.out, Catch::Contains("\"version\":\"0.0.1\""));
    auto human = run_deskext({"ls", "--root", w.root.string()}, w.home.path());
    CHECK_THAT(human.out, Catch::Matches("(.|\n)*other_ext +0\\.0\\.1 (.|\n)*"));
}

TEST_CASE("identity: deskext's bundle installs and updates the extension it was exported from",
          "[integration][identity]") {
    World w;
    const auto bundle = (w.work / "bundle.tar").string();
    auto exported = run_deskext({"export", w.by_ip + ":2.0.0", "--output", bundle}, w.home.path(),
                                {{"DESKEXT_CACHE_DIR", (w.home / "cache").string()}});
    INFO(exported.err);
    REQUIRE(exported.exit_code == 0);

    check_installed(w.install("install", w.by_localhost + ":1.0.0"), "1.0.0");
    check_installed(w.install("update", "oci-archive:" + bundle), "2.0.0");
    check_one(w, "2.0.0", "oci-archive:" + bundle);
    // The bundle holds the registry's index as it was: the registry's install of it is the same.
    check_installed(w.install("update", w.by_ip + ":2.0.0"), "2.0.0", true);

    // Installed anew from the bundle: the same name and version as from the registry.
    REQUIRE(w.run({"uninstall", ext}).exit_code == 0);
    check_installed(w.install("install", "oci-archive:" + bundle + ":" + w.by_ip + ":2.0.0"),
                    "2.0.0");
    check_installed(w.install("install", bundle, {"--force"}), "2.0.0");
    check_one(w, "2.0.0", "oci-archive:" + bundle);
    // Named by its identity alone, as the extension is known, not by the registry it was
    // exported from.
    check_installed(
        w.install("install", "oci-archive:" + bundle + ":" + repo + ":2.0.0", {"--force"}),
        "2.0.0");
}

TEST_CASE("identity: extensions in their former directories are found, and moved by an update",
          "[integration][identity]") {
    World w;
    check_installed(w.install("install", w.by_ip + ":1.0.0"), "1.0.0");
    const std::string former = former_name(w.registry->host());
    const auto former_dir = w.root / former;
    fs::rename(w.root / ext, former_dir);
    record_as(former_dir, w.by_ip + ":1.0.0");
    const auto before = read_tree(former_dir);

    // ls lists it where it is; verify finds it by any name of it.
    auto extensions = w.listed();
    REQUIRE(extensions.size() == 1);
    CHECK(extensions[0]["name"] == former);
    for (const auto& name : {former, w.by_ip, w.by_localhost, repo}) {
        auto verified = w.run({"verify", name});
        INFO(name << ": " << verified.out << verified.err);
        CHECK(verified.exit_code == 0);
        CHECK(verified.last()["name"] == former);
    }
    // The same image: nothing to do, nothing moved.
    auto same = w.install("update", w.by_localhost + ":1.0.0");
    REQUIRE(same.exit_code == 0);
    CHECK(same.last()["unchanged"] == true);
    CHECK(same.last()["name"] == former);
    CHECK(read_tree(former_dir) == before);

    SECTION("an update moves it to its identity's directory") {
        check_installed(w.install("update", w.by_localhost + ":2.0.0"), "2.0.0");
        check_one(w, "2.0.0", "docker://" + w.by_localhost + ":2.0.0");
    }
    SECTION("killed before the swap: the former directory is as it was") {
        update_killed_at(w, "install-before-swap");
        CHECK(read_tree(former_dir) == before);
        CHECK_FALSE(fs::exists(w.root / ext));
        check_installed(w.install("update", w.by_localhost + ":2.0.0"), "2.0.0");
        check_one(w, "2.0.0", "docker://" + w.by_localhost + ":2.0.0");
    }
    SECTION("killed once moved: the previous version is whole in the new directory") {
        update_killed_at(w, "install-moved");
        CHECK_FALSE(fs::exists(former_dir));
        CHECK(read_tree(w.root / ext) == before);
        check_one(w, "1.0.0", "docker://" + w.by_ip + ":1.0.0");
        check_installed(w.install("update", w.by_localhost + ":2.0.0"), "2.0.0");
        check_one(w, "2.0.0", "docker://" + w.by_localhost + ":2.0.0");
    }
    SECTION("killed after the swap: the new version is in place, the former one gone") {
        update_killed_at(w, "install-after-swap");
        CHECK_FALSE(fs::exists(former_dir));
        check_one(w, "2.0.0", "docker://" + w.by_localhost + ":2.0.0");
    }
    SECTION("uninstall by any name of it") {
        auto removed = w.run({"uninstall", w.by_localhost});
        REQUIRE(removed.exit_code == 0);
        CHECK(removed.last()["name"] == former);
        CHECK(w.listed().empty());
    }
    SECTION("installed twice under former names: named by its directory, never guessed") {
        const std::string other = former_name(w.by_localhost.substr(0, w.by_localhost.find('/')));
        fs::copy(former_dir, w.root / other, fs::copy_options::recursive);
        record_as(w.root / other, w.by_localhost + ":1.0.0");
        auto ambiguous = w.install("update", w.by_ip + ":2.0.0");
        CHECK(ambiguous.exit_code == 2);
        CHECK_THAT(ambiguous.last()["message"].get<std::string>(), Catch::Contains(former));
        CHECK_THAT(ambiguous.last()["message"].get<std::string>(), Catch::Contains(other));
        CHECK(w.run({"verify", former}).exit_code == 0);
        CHECK(w.run({"uninstall", other}).exit_code == 0);
        check_installed(w.install("update", w.by_ip + ":2.0.0"), "2.0.0");
        check_one(w, "2.0.0", "docker://" + w.by_ip + ":2.0.0");
    }
}
