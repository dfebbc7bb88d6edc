// `deskext export`: offline bundles written by the real binary from a real registry and from every
// offline transport, installed afterwards with no registry running, read by skopeo, and never left
// half-written.

#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <set>

#include "extension_fixture.hpp"
#include "fixtures/files.hpp"
#include "fixtures/oci_archive.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using namespace deskext::testing;
namespace fs = std::filesystem;

namespace {

// What installing `source` for `platform` writes, state record left out.
std::map<std::string, std::string> install_tree(const std::string& source,
                                                const std::string& platform,
                                                const std::string& name) {
    fixtures::TempDir home;
    const auto root = home / "root";
    auto run = run_deskext({"install", source, "--name", name, "--platform", platform, "--root",
                            root.string(), "--json"},
                           home.path());
    INFO(source << " for " << platform << ": " << run.out << run.err);
    REQUIRE(run.exit_code == 0);
    auto tree = read_tree(root / run.last()["name"].get<std::string>());
    tree.erase(".deskext/state.json");
    return tree;
}

nlohmann::json read_json(const fs::path& path) { return nlohmann::json::parse(slurp(path)); }

// Unpacks a bundle with GNU tar and checks that its blobs are exactly those its index.json
// reaches (indexes → manifests → configs and layers): no more, no fewer. Returns the unpacked
// directory's index.json.
nlohmann::json check_blobs_exactly_needed(const fs::path& bundle, const fs::path& dir) {
    fs::create_directories(dir);
    auto untar = fixtures::run_process({"tar", "-xf", bundle.string(), "-C", dir.string()});
    REQUIRE(untar.exit_code == 0);
    CHECK(read_json(dir / "oci-layout")["imageLayoutVersion"] == "1.0.0");
    const auto index = read_json(dir / "index.json");
    std::set<std::string> reached;
    std::vector<nlohmann::json> pending(index["manifests"].begin(), index["manifests"].end());
    while (!pending.empty()) {
        const auto descriptor = pending.back();
        pending.pop_back();
        const auto digest = descriptor["digest"].get<std::string>();
        reached.insert(digest.substr(7));
        const auto media_type = descriptor["mediaType"].get<std::string>();
        if (media_type.find("index") == std::string::npos &&
            media_type.find("manifest") == std::string::npos)
            continue;  // a config or a layer
        const auto document = read_json(dir / "blobs" / "sha256" / digest.substr(7));
        if (document.contains("manifests"))
            for (const auto& d : document["manifests"]) pending.push_back(d);
        if (document.contains("config")) pending.push_back(document["config"]);
        if (document.contains("layers"))
            for (const auto& d : document["layers"]) pending.push_back(d);
    }
    std::set<std::string> present;
    for (const auto& entry : fs::directory_iterator(dir / "blobs" / "sha256"))
        present.insert(entry.path().filename().string());
    CHECK(present == reached);
    return index;
}

std::vector<std::string> ref_names(const nlohmann::json& index) {
    std::vector<std::string> names;
    for (const auto& d : index["manifests"])
        names.push_back(d["annotations"]["org.opencontainers.image.ref.name"].get<std::string>());
    return names;
}

}  // namespace

TEST_CASE("export: registry images to one bundle, installed with the registry stopped",
          "[integration][export]") {
    fixtures::TempDir work("deskext-export-");
    const auto tool_layout = work / "tool";
    const auto other_layout = work / "other";
    fixtures::write_multi_arch_image(tool_layout, "1.0.0", tool_extension_variants("1.0.0"));
    fixtures::write_multi_arch_image(other_layout, "2.0.0", tool_extension_variants("2.0.0"));
    const auto all = work / "bundle-all.tar";
    const auto arm64 = work / "bundle-arm64.tar";
    const auto one = work / "bundle-one.tar";
    fixtures::TempDir home;
    const std::map<std::string, std::string> env{{"DESKEXT_CACHE_DIR", (home / "cache").string()}};
    std::string tool_ref;
    std::string other_ref;
    std::string tool_digest;
    {
        fixtures::TestRegistry registry(work / "registry", {});
        tool_digest = registry.push(tool_layout, "1.0.0", "acme/tool-ext:1.0.0");
        registry.push(other_layout, "2.0.0", "acme/other-ext:2.0.0");
        tool_ref = registry.host() + "/acme/tool-ext:1.0.0";
        other_ref = registry.host() + "/acme/other-ext:2.0.0";

        auto run = run_deskext({"export", tool_ref, other_ref, "--output", all.string(), "--json"},
                               home.path(), env);
        INFO(run.out << run.err);
        REQUIRE(run.exit_code == 0);
        const auto& result = run.last();
        CHECK(result["command"] == "export");
        CHECK(result["output"] == all.string());
        REQUIRE(result["images"].size() == 2);
        CHECK(result["images"][0]["ref_name"] == tool_ref);
        CHECK(result["images"][0]["image_name"] == tool_ref);
        // Every platform: the registry's index itself, byte for byte.
        CHECK(result["images"][0]["digest"] == tool_digest);
        CHECK(result["images"][0]["platforms"] ==
              nlohmann::json::array({"linux/amd64", "linux/arm64"}));
        CHECK(result["bytes"] == fs::file_size(all));
        CHECK(run.of("exported").size() == 2);
        CHECK_FALSE(run.of("progress").empty());
        for (const auto& p : run.of("progress"))
            CHECK((p["phase"] == "download" || p["phase"] == "export"));

        auto subset = run_deskext({"export", tool_ref, "docker://" + other_ref, "--output",
                                   arm64.string(), "--platform", "darwin/arm64", "--json"},
                                  home.path(), env);
        INFO(subset.out << subset.err);
        REQUIRE(subset.exit_code == 0);
        for (const auto& image : subset.last()["images"]) {
            CHECK(image["platforms"] == nlohmann::json::array({"linux/arm64"}));
            CHECK(image["digest"] != tool_digest);  // a new index, listing arm64 only
        }

        auto single = run_deskext({"export", tool_ref, "--output", one.string()}, home.path(), env);
        INFO(single.err);
        REQUIRE(single.exit_code == 0);
        CHECK_THAT(single.out, Catch::Contains("wrote " + one.string()));
    }  // the registry is gone from here on

    const auto all_index = check_blobs_exactly_needed(all, work / "unpacked-all");
    CHECK(ref_names(all_index) == std::vector<std::string>{tool_ref, other_ref});
    CHECK(all_index["manifests"][0]["annotations"]["io.containerd.image.name"] == tool_ref);
    const auto arm64_index = check_blobs_exactly_needed(arm64, work / "unpacked-arm64");
    CHECK(ref_names(arm64_index) == std::vector<std::string>{tool_ref, other_ref});
    for (const auto& entry : arm64_index["manifests"]) {
        const auto index = read_json(work / "unpacked-arm64" / "blobs" / "sha256" /
                                     entry["digest"].get<std::string>().substr(7));
        REQUIRE(index["manifests"].size() == 1);
        CHECK(index["manifests"][0]["platform"]["architecture"] == "arm64");
    }
    // Every blob of the subset bundle is in the full one; the subset holds fewer.
    CHECK(fs::file_size(arm64) < fs::file_size(all));

    // Installs from the bundles write exactly what installs from the original images write.
    for (const std::string platform : {"linux/amd64", "linux/arm64", "darwin/arm64"}) {
        DYNAMIC_SECTION("install from the full bundle for " << platform) {
            CHECK(install_tree("oci-archive:" + all.string() + ":" + tool_ref, platform, "t") ==
                  install_tree("oci:" + tool_layout.string() + ":1.0.0", platform, "t"));
            CHECK(install_tree("oci-archive:" + all.string() + ":" + other_ref, platform, "t") ==
                  install_tree("oci:" + other_layout.string() + ":2.0.0", platform, "t"));
        }
    }
    {  // named by the reference: the directory a registry install would use
        fixtures::TempDir h;
        auto run =
            run_deskext({"install", "oci-archive:" + arm64.string() + ":" + other_ref, "--platform",
                         "linux/arm64", "--root", (h / "root").string(), "--json"},
                        h.path());
        INFO(run.out << run.err);
        REQUIRE(run.exit_code == 0);
        const auto tree = read_tree(h / "root" / run.last()["name"].get<std::string>());
        CHECK(tree.at("host/tool") == tool_bytes("linux", "arm64"));
        CHECK(run.last()["version"] == "2.0.0");
        CHECK(tree.size() > 5);
        // The arm64-only bundle has nothing for an amd64 host.
        auto amd64 =
            run_deskext({"install", "oci-archive:" + arm64.string() + ":" + other_ref, "--platform",
                         "linux/amd64", "--root", (h / "root2").string(), "--json"},
                        h.path());
        CHECK(amd64.exit_code == 4);
        CHECK(amd64.last()["code"] == "no_matching_platform");
    }
    {  // a bundle of one image installs from its plain path, named by it
        fixtures::TempDir h;
        auto run = run_deskext({"install", one.string(), "--platform", "windows/amd64", "--root",
                                (h / "root").string(), "--json"},
                               h.path());
        INFO(run.out << run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(read_tree(h / "root" / run.last()["name"].get<std::string>()).at("host/tool.exe") ==
              tool_bytes("windows", "amd64"));
        // Several images: the plain path is ambiguous, and the message lists them.
        auto ambiguous = run_deskext({"install", all.string(), "--platform", "linux/amd64",
                                      "--root", (h / "root").string(), "--json"},
                                     h.path());
        CHECK(ambiguous.exit_code == 2);
        CHECK_THAT(ambiguous.last()["message"].get<std::string>(), Catch::Contains(other_ref));
    }
    // skopeo reads the bundle as the oci-archive it is.
    for (const auto& bundle : {all, arm64}) {
        auto inspect = fixtures::run_process(
            {"skopeo", "inspect", "--raw", "oci-archive:" + bundle.string() + ":" + tool_ref});
        INFO(inspect.err);
        REQUIRE(inspect.exit_code == 0);
        const auto raw = nlohmann::json::parse(inspect.out);
        CHECK(raw["manifests"].size() == (bundle == all ? 2U : 1U));
    }
    auto skopeo_index = fixtures::run_process(
        {"skopeo", "inspect", "--raw", "oci-archive:" + all.string() + ":" + tool_ref});
    CHECK(nlohmann::json::parse(skopeo_index.out) ==
          read_json(work / "unpacked-all" / "blobs" / "sha256" / tool_digest.substr(7)));
}

TEST_CASE("export: from oci, oci-archive and docker-archive sources", "[integration][export]") {
    fixtures::TempDir work("deskext-export-");
    const auto layout = work / "layout";
    fixtures::write_multi_arch_image(layout, "1.0.0", tool_extension_variants());
    // An oci-archive whose image carries its full name, as `docker save` (25+) writes it.
    const auto named_layout = work / "named";
    {
        fixtures::OciLayoutWriter writer(named_layout);
        std::vector<oci::Descriptor> manifests;
        for (const auto& variant : tool_extension_variants("2.0.0"))
            manifests.push_back(writer.add_variant(variant));
        writer.add_index(manifests, "2.0.0",
                         {{"io.containerd.image.name", "docker.io/acme/archived-ext:2.0.0"}});
    }
    const auto oci_archive = work / "archived.tar";
    fixtures::write_oci_archive(named_layout, oci_archive);
    const auto docker_archive = work / "docker.tar";
    skopeo_copy({"--override-arch", "arm64", "oci:" + layout.string() + ":1.0.0",
                 "docker-archive:" + docker_archive.string() + ":acme/docker-ext:3.0.0"});

    fixtures::TempDir home;
    const auto bundle = work / "out" / "bundle.tar";
    fs::create_directories(bundle.parent_path());
    auto run = run_deskext(
        {"export", "oci:" + layout.string() + ":1.0.0", "oci-archive:" + oci_archive.string(),
         "docker-archive:" + docker_archive.string(), "--output", bundle.string(), "--json"},
        home.path());
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    const auto& images = run.last()["images"];
    REQUIRE(images.size() == 3);
    // A layout entry with only a tag keeps it; full names are shortened as people write them.
    CHECK(images[0]["ref_name"] == "1.0.0");
    CHECK(images[0]["image_name"] == "");
    CHECK(images[1]["ref_name"] == "acme/archived-ext:2.0.0");
    CHECK(images[1]["image_name"] == "docker.io/acme/archived-ext:2.0.0");
    CHECK(images[2]["ref_name"] == "acme/docker-ext:3.0.0");
    CHECK(images[2]["image_name"] == "docker.io/acme/docker-ext:3.0.0");
    CHECK(images[2]["platforms"] == nlohmann::json::array({"linux/arm64"}));
    CHECK(fixtures::names_in(bundle.parent_path()) == std::vector<std::string>{"bundle.tar"});
    check_blobs_exactly_needed(bundle, work / "unpacked");

    const std::string in_bundle = "oci-archive:" + bundle.string() + ":";
    CHECK(install_tree(in_bundle + "1.0.0", "darwin/amd64", "t") ==
          install_tree("oci:" + layout.string() + ":1.0.0", "darwin/amd64", "t"));
    CHECK(install_tree(in_bundle + "acme/archived-ext:2.0.0", "linux/arm64", "t") ==
          install_tree("oci-archive:" + oci_archive.string(), "linux/arm64", "t"));
    CHECK(install_tree(in_bundle + "docker.io/acme/archived-ext:2.0.0", "linux/arm64", "t") ==
          install_tree("oci-archive:" + oci_archive.string(), "linux/arm64", "t"));
    CHECK(install_tree(in_bundle + "acme/docker-ext:3.0.0", "darwin/arm64", "t") ==
          install_tree("docker-archive:" + docker_archive.string(), "darwin/arm64", "t"));

    SECTION("a single-platform source and --platform it does not have") {
        auto wrong =
            run_deskext({"export", "docker-archive:" + docker_archive.string(), "--output",
                         (work / "out" / "x.tar").string(), "--platform", "linux/amd64", "--json"},
                        home.path());
        CHECK(wrong.exit_code == 4);
        CHECK(wrong.last()["code"] == "no_matching_platform");
        CHECK(fixtures::names_in(bundle.parent_path()) == std::vector<std::string>{"bundle.tar"});
    }
    SECTION("two sources with one name") {
        auto twice = run_deskext(
            {"export", "oci:" + layout.string() + ":1.0.0", "oci:" + layout.string() + ":1.0.0",
             "--output", (work / "out" / "x.tar").string(), "--json"},
            home.path());
        CHECK(twice.exit_code == 2);
        CHECK(fixtures::names_in(bundle.parent_path()) == std::vector<std::string>{"bundle.tar"});
    }
    SECTION("a corrupted blob fails the export and leaves nothing, nor changes the old bundle") {
        const auto bad = work / "bad";
        fs::copy(layout, bad, fs::copy_options::recursive);
        // The biggest blob is a layer: flip one byte of it, keeping its size.
        fs::path biggest;
        for (const auto& entry : fs::directory_iterator(bad / "blobs" / "sha256"))
            if (biggest.empty() || entry.file_size() > fs::file_size(biggest))
                biggest = entry.path();
        fs::permissions(biggest, fs::perms::owner_read | fs::perms::owner_write);
        {
            std::fstream f(biggest, std::ios::in | std::ios::out | std::ios::binary);
            f.seekg(static_cast<std::streamoff>(fs::file_size(biggest) / 2));
            const char c = static_cast<char>(f.peek());
            f.seekp(static_cast<std::streamoff>(fs::file_size(biggest) / 2));
            f.put(static_cast<char>(c ^ 0x20));
        }
        const auto before = slurp(bundle);
        for (const auto& output : {bundle, work / "out" / "new.tar"}) {
            auto failed = run_deskext(
                {"export", "oci:" + bad.string() + ":1.0.0", "--output", output.string(), "--json"},
                home.path());
            INFO(failed.out << failed.err);
            CHECK(failed.exit_code == 7);
            CHECK(failed.last()["code"] == "integrity");
            CHECK(fixtures::names_in(bundle.parent_path()) == std::vector<std::string>{"bundle.tar"});
            CHECK(slurp(bundle) == before);
        }
    }
    SECTION("killed before the bundle is in place: the old bundle as it was, no other file") {
        // The whole bundle has been written when the process dies; on Linux it has no name yet
        // (O_TMPFILE), so nothing of it is left.
        const auto before = slurp(bundle);
        for (const auto& output : {bundle, work / "out" / "new.tar"}) {
            auto killed = run_deskext({"export", "oci:" + layout.string() + ":1.0.0", "--output",
                                       output.string(), "--json"},
                                      home.path(), {{"DESKEXT_CRASH_AT", "export-before-publish"}});
            INFO(killed.out << killed.err);
            REQUIRE(killed.exit_code == 128 + SIGKILL);
            CHECK(fixtures::names_in(bundle.parent_path()) == std::vector<std::string>{"bundle.tar"});
            CHECK(slurp(bundle) == before);
        }
        // The next export writes the bundle as if nothing had happened.
        auto again = run_deskext({"export", "oci:" + layout.string() + ":1.0.0", "--output",
                                  (work / "out" / "new.tar").string(), "--json"},
                                 home.path());
        INFO(again.out << again.err);
        CHECK(again.exit_code == 0);
        CHECK(fixtures::names_in(bundle.parent_path()) == std::vector<std::string>{"bundle.tar", "new.tar"});
        CHECK(fs::status(work / "out" / "new.tar").permissions() ==
              (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
               fs::perms::others_read));
    }
    SECTION("usage errors") {
        auto no_output = run_deskext({"export", "oci:" + layout.string(), "--json"}, home.path());
        CHECK(no_output.exit_code == 2);
        auto no_source =
            run_deskext({"export", "--output", (work / "x.tar").string(), "--json"}, home.path());
        CHECK(no_source.exit_code == 2);
        auto bad_platform =
            run_deskext({"export", "oci:" + layout.string(), "--output", (work / "x.tar").string(),
                         "--platform", "plan9/amd64", "--json"},
                        home.path());
        CHECK(bad_platform.exit_code == 2);
        CHECK_FALSE(fs::exists(work / "x.tar"));
    }
}
