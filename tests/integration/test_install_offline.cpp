// The real deskext binary installing a multi-arch extension from offline archives written by
// skopeo, for every host platform Docker Desktop runs on.

#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

#include "deskext/build_info.hpp"
#include "deskext/platform/platform.hpp"
#include "extension_fixture.hpp"
#include "fixtures/host_programs.hpp"

using namespace deskext;
using namespace deskext::testing;

namespace {

// The layout, the oci-archive and one docker-archive per arch, built once per test process.
struct Archives {
    fixtures::TempDir dir{"deskext-it-"};
    std::filesystem::path layout = dir / "layout";
    std::string oci_archive = (dir / "tool-ext.oci.tar").string();
    std::map<std::string, std::string> docker_archive;  // arch → path

    Archives() {
        fixtures::write_multi_arch_image(layout, "1.0.0", tool_extension_variants());
        skopeo_copy({"--all", "oci:" + layout.string() + ":1.0.0",
                     "oci-archive:" + oci_archive + ":1.0.0"});
        for (std::string arch : {"amd64", "arm64"}) {
            auto path = (dir / ("tool-ext." + arch + ".docker.tar")).string();
            skopeo_copy({"--override-arch", arch, "oci:" + layout.string() + ":1.0.0",
                         "docker-archive:" + path + ":acme/tool-ext:1.0.0"});
            docker_archive[arch] = path;
        }
    }
};

const Archives& archives() {
    static Archives a;
    return a;
}

// Exactly what a host of os/arch must get, path → bytes (directories end with '/').
std::map<std::string, std::string> expected_tree(const std::string& os, const std::string& arch) {
    std::map<std::string, std::string> t = {
        {"metadata.json", tool_metadata()},
        {"tool.svg", tool_icon()},
        {"ui/", ""},
        {"ui/ui/", ""},
        {"ui/ui/index.html", tool_ui_index()},
        {"ui/ui/assets/", ""},
        {"ui/ui/assets/app.js", "console.log('tool')\n"},
        {"vm/", ""},
        {"vm/docker-compose.yaml", tool_compose()},
        {"host/", ""},
        {".deskext/", ""},
    };
    if (os == "windows") {
        // The arm64 variant has no Windows binary: Windows on Arm takes the amd64 build, which
        // it runs under emulation.
        t["host/tool.exe"] = tool_bytes("windows", "amd64");
    } else {
        t["host/tool"] = tool_bytes(os, arch);
        t["host/tool-helper.sh"] = "#!/bin/sh\necho helper\n";
    }
    return t;
}

// The files of the install, without its state record.
std::map<std::string, std::string> installed_tree(const std::filesystem::path& ext) {
    auto tree = read_tree(ext);
    REQUIRE(tree.count(".deskext/state.json") == 1);
    tree.erase(".deskext/state.json");
    return tree;
}

void check_installed(const std::filesystem::path& ext, const std::string& os,
                     const std::string& arch) {
    const auto tree = installed_tree(ext);
    CHECK(tree == expected_tree(os, arch));
    CHECK(mode_of(ext) == 0755);
    for (const auto& [path, content] : tree) {
        auto mode = mode_of(ext / path);
        if (path.ends_with('/'))
            CHECK(mode == 0755);
        else if (path.starts_with("host/"))
            CHECK(mode == 0755);  // setuid and world-writable bits of the image are gone
        else
            CHECK(mode == 0644);
    }
}

}  // namespace

TEST_CASE("install: oci-archive for all six host platforms", "[integration][install]") {
    const auto& a = archives();
    for (std::string os : {"darwin", "windows", "linux"}) {
        for (std::string arch : {"amd64", "arm64"}) {
            DYNAMIC_SECTION(os << "/" << arch) {
                fixtures::TempDir home;
                auto root = home / "root";
                const std::vector<std::string> args{
                    "install",    "oci-archive:" + a.oci_archive + ":1.0.0",
                    "--platform", os + "/" + arch,
                    "--root",     root.string(),
                    "--name",     "acme/tool-ext",
                    "--json"};
                const bool emulated = os == "windows" && arch == "arm64";
                if (emulated) {
                    // The arm64 variant carries no windows binary: --strict takes none from
                    // another variant, a clear error, no install.
                    auto strict_args = args;
                    strict_args.push_back("--strict");
                    auto refused = run_deskext(strict_args, home.path());
                    CHECK(refused.exit_code == 8);
                    CHECK(refused.last()["event"] == "error");
                    CHECK(refused.last()["code"] == "invalid_extension");
                    auto message = refused.last()["message"].get<std::string>();
                    CHECK(message.find("/windows/tool.exe") != std::string::npos);
                    CHECK(message.find("linux/arm64") != std::string::npos);
                    CHECK_FALSE(std::filesystem::exists(root / "acme_tool-ext"));
                }
                auto run = run_deskext(args, home.path());
                INFO(run.err << run.out);
                REQUIRE(run.exit_code == 0);
                // Without --strict, Windows on Arm takes the amd64 build, and is told so.
                std::vector<nlohmann::json> taken;
                for (const auto& warning : run.of("warning"))
                    if (warning.value("check", "") == "binary_emulated") taken.push_back(warning);
                REQUIRE(taken.size() == (emulated ? 1u : 0u));
                if (emulated) {
                    CHECK(taken[0]["file"] == "host/tool.exe");
                    CHECK(taken[0]["image_platform"] == "linux/amd64");
                }
                const auto& result = run.last();
                CHECK(result["event"] == "result");
                CHECK(result["ok"] == true);
                CHECK(result["name"] == "acme_tool-ext");
                CHECK(result["platform"] == os + "/" + arch);
                CHECK(result["image_platform"] == "linux/" + arch);
                auto resolved = run.of("resolved");
                REQUIRE(resolved.size() == 1);
                CHECK(resolved[0]["manifest_digest"].get<std::string>().starts_with("sha256:"));
                CHECK(resolved[0]["image_platform"] == "linux/" + arch);
                check_installed(root / "acme_tool-ext", os, arch);
                // Nothing but the extension's directory is left in the root.
                std::vector<std::string> entries;
                for (const auto& e : std::filesystem::directory_iterator(root))
                    entries.push_back(e.path().filename().string());
                CHECK(entries == std::vector<std::string>{"acme_tool-ext"});
            }
        }
    }
}

TEST_CASE("install: docker-archive written by skopeo, named from RepoTags",
          "[integration][install]") {
    const auto& a = archives();
    for (std::string arch : {"amd64", "arm64"}) {
        for (std::string os : {"darwin", "linux"}) {
            DYNAMIC_SECTION(os << "/" << arch) {
                fixtures::TempDir home;
                auto root = home / "root";
                auto run =
                    run_deskext({"install", "docker-archive:" + a.docker_archive.at(arch),
                                 "--platform", os + "/" + arch, "--root", root.string(), "--json"},
                                home.path());
                INFO(run.err << run.out);
                REQUIRE(run.exit_code == 0);
                CHECK(run.last()["name"] == "acme_tool-ext");
                CHECK(run.last()["version"] == "1.0.0");
                check_installed(root / "acme_tool-ext", os, arch);
            }
        }
    }
}

TEST_CASE("install: oci layout directory and plain-path detection", "[integration][install]") {
    const auto& a = archives();
    fixtures::TempDir home;
    auto root = home / "root";
    for (const std::string& source :
         {"oci:" + a.layout.string() + ":1.0.0", a.oci_archive, a.docker_archive.at("arm64")}) {
        DYNAMIC_SECTION(source) {
            auto run = run_deskext({"install", source, "--platform", "darwin/arm64", "--root",
                                    root.string(), "--name", "acme/tool-ext", "--force", "--json"},
                                   home.path());
            INFO(run.err << run.out);
            REQUIRE(run.exit_code == 0);
            check_installed(root / "acme_tool-ext", "darwin", "arm64");
        }
    }
}

TEST_CASE("install: archive and root paths outside ASCII, as arguments and in the events",
          "[integration][install][host]") {
    const auto& a = archives();
    fixtures::TempDir home;
    // "Jörg/文件" and "Extensions é", spelled out in UTF-8.
    const auto dir = home / "J\xc3\xb6rg" / "\xe6\x96\x87\xe4\xbb\xb6";
    const auto root = home / "Extensions \xc3\xa9";
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(a.oci_archive, dir / "tool-ext.tar");
    std::filesystem::copy(a.layout, dir / "layout", std::filesystem::copy_options::recursive);
    const std::map<std::string, std::string> sources{
        {"oci-archive", "oci-archive:" + (dir / "tool-ext.tar").string() + ":1.0.0"},
        {"plain path", (dir / "tool-ext.tar").string()},
        {"oci layout", "oci:" + (dir / "layout").string() + ":1.0.0"}};
    for (const auto& [form, source] : sources) {
        DYNAMIC_SECTION(form) {
            auto run = run_deskext({"install", source, "--platform", "linux/amd64", "--root",
                                    root.string(), "--name", "acme/tool-ext", "--force", "--json"},
                                   home.path());
            INFO(run.err << run.out);
            REQUIRE(run.exit_code == 0);
            // The files only: this case also runs against deskext.exe, which has no POSIX modes.
            CHECK(installed_tree(root / "acme_tool-ext") == expected_tree("linux", "amd64"));
            CHECK(reports_path(run.last()["directory"], root / "acme_tool-ext"));
        }
    }
    auto listed = run_deskext({"ls", "--root", root.string(), "--json"}, home.path());
    REQUIRE(listed.exit_code == 0);
    CHECK(reports_path(listed.last()["root"], root));
    auto removed =
        run_deskext({"uninstall", "acme/tool-ext", "--root", root.string(), "--json"}, home.path());
    REQUIRE(removed.exit_code == 0);
    CHECK(reports_path(removed.of("removed").at(0)["directory"], root / "acme_tool-ext"));
}

TEST_CASE("install: an oci-archive named by a whole reference, as skopeo and podman write it",
          "[integration][install]") {
    // `skopeo copy … oci-archive:F:acme/tool-ext:1.0.0` puts the whole reference in
    // org.opencontainers.image.ref.name, and so does `podman save --format oci-archive`: it names
    // the extension and its version, and deskext's own export of it installs the same way.
    const auto& a = archives();
    fixtures::TempDir home;
    const auto archive = (home / "named.tar").string();
    skopeo_copy({"--all", "oci:" + a.layout.string() + ":1.0.0",
                 "oci-archive:" + archive + ":acme/tool-ext:1.0.0"});
    const auto root = home / "root";
    const auto check_named = [&](const std::string& source) {
        auto run = run_deskext({"install", source, "--platform", "linux/amd64", "--root",
                                root.string(), "--force", "--json"},
                               home.path());
        INFO(run.err << run.out);
        REQUIRE(run.exit_code == 0);
        CHECK(run.last()["name"] == "acme_tool-ext");
        CHECK(run.last()["version"] == "1.0.0");
        check_installed(root / "acme_tool-ext", "linux", "amd64");
    };
    check_named("oci-archive:" + archive + ":acme/tool-ext:1.0.0");
    check_named("oci-archive:" + archive);  // its only image
    const auto exported = (home / "exported.tar").string();
    auto run = run_deskext({"export", "oci-archive:" + archive, "--output", exported}, home.path());
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    check_named("oci-archive:" + exported);
    auto listed = run_deskext({"ls", "--root", root.string(), "--json"}, home.path());
    REQUIRE(listed.last()["extensions"].size() == 1);
    CHECK(listed.last()["extensions"][0]["version"] == "1.0.0");
}

TEST_CASE("install: an image without the host's variant", "[integration][install]") {
    fixtures::TempDir home;
    auto variants = tool_extension_variants();
    variants.resize(1);  // amd64 only
    auto layout = home / "amd64-only";
    fixtures::write_multi_arch_image(layout, "1.0.0", variants);
    auto root = home / "root";
    auto source = "oci:" + layout.string() + ":1.0.0";

    auto refused = run_deskext({"install", source, "--platform", "darwin/arm64", "--root",
                                root.string(), "--name", "acme/tool-ext", "--json"},
                               home.path());
    CHECK(refused.exit_code == 4);
    CHECK(refused.last()["code"] == "no_matching_platform");
    CHECK(refused.last()["message"].get<std::string>().find("linux/amd64") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(root / "acme_tool-ext"));

    auto emulated =
        run_deskext({"install", source, "--platform", "darwin/arm64", "--root", root.string(),
                     "--name", "acme/tool-ext", "--allow-emulation", "--json"},
                    home.path());
    INFO(emulated.err << emulated.out);
    REQUIRE(emulated.exit_code == 0);
    CHECK(emulated.last()["image_platform"] == "linux/amd64");
    CHECK_FALSE(emulated.of("warning").empty());
    // Under emulation a Mac with Apple silicon runs the amd64 build of the darwin binary.
    CHECK(slurp(root / "acme_tool-ext/host/tool") == tool_bytes("darwin", "amd64"));
    for (const auto& warning : emulated.of("warning"))
        CHECK(warning.value("check", "") != "binary_platform");

    // Linux on arm64 runs no amd64 program: the fallback installs, and says the binary will not
    // run there; --strict refuses it.
    const std::vector<std::string> linux_arm64{
        "install",     source,   "--platform",     "linux/arm64",       "--root",
        root.string(), "--name", "acme/linux-ext", "--allow-emulation", "--json"};
    auto warned = run_deskext(linux_arm64, home.path());
    INFO(warned.err << warned.out);
    REQUIRE(warned.exit_code == 0);
    bool said = false;
    for (const auto& warning : warned.of("warning"))
        said = said ||
               (warning.value("check", "") == "binary_platform" && warning["file"] == "host/tool" &&
                warning["expected"] == "linux/arm64" && warning["found"] == "linux/amd64");
    CHECK(said);
    auto strict_args = linux_arm64;
    strict_args.push_back("--strict");
    strict_args.push_back("--force");
    auto strict = run_deskext(strict_args, home.path());
    CHECK(strict.exit_code == 8);
    CHECK(strict.last()["message"].get<std::string>().find("not built for linux/arm64") !=
          std::string::npos);
}

TEST_CASE("install, ls, reinstall, uninstall", "[integration][install]") {
    const auto& a = archives();
    fixtures::TempDir home;
    auto root = home / "root";
    std::vector<std::string> install{"install",    "oci-archive:" + a.oci_archive,
                                     "--platform", "linux/amd64",
                                     "--root",     root.string(),
                                     "--name",     "acme/tool-ext",
                                     "--json"};
    auto first = run_deskext(install, home.path());
    REQUIRE(first.exit_code == 0);
    CHECK(first.last()["unchanged"] == false);
    auto state_before = slurp(root / "acme_tool-ext/.deskext/state.json");

    auto again = run_deskext(install, home.path());
    REQUIRE(again.exit_code == 0);
    CHECK(again.last()["unchanged"] == true);
    CHECK(slurp(root / "acme_tool-ext/.deskext/state.json") == state_before);

    auto ls = run_deskext({"ls", "--root", root.string(), "--json"}, home.path());
    REQUIRE(ls.exit_code == 0);
    const auto& extensions = ls.last()["extensions"];
    REQUIRE(extensions.size() == 1);
    CHECK(extensions[0]["name"] == "acme_tool-ext");
    CHECK(extensions[0]["platform"] == "linux/amd64");
    CHECK(extensions[0]["binaries"] == nlohmann::json::array({"host/tool", "host/tool-helper.sh"}));
    // Where it came from: the SOURCE as given.
    CHECK(extensions[0]["source"] == install[1]);

    auto human_ls = run_deskext({"ls", "--root", root.string()}, home.path());
    CHECK(human_ls.out.find("acme_tool-ext") != std::string::npos);
    CHECK(human_ls.out.find("SOURCE") != std::string::npos);
    CHECK(human_ls.out.find(install[1]) != std::string::npos);

    auto removed =
        run_deskext({"uninstall", "acme/tool-ext", "--root", root.string(), "--json"}, home.path());
    REQUIRE(removed.exit_code == 0);
    CHECK_FALSE(std::filesystem::exists(root / "acme_tool-ext"));
    CHECK(std::filesystem::is_empty(root));

    auto missing =
        run_deskext({"uninstall", "acme/tool-ext", "--root", root.string(), "--json"}, home.path());
    CHECK(missing.exit_code == 3);
    CHECK(missing.last()["code"] == "not_found");
}

TEST_CASE("install: a corrupted layer is refused and the previous install stays",
          "[integration][install]") {
    fixtures::TempDir home;
    auto layout = home / "layout";
    fixtures::write_multi_arch_image(layout, "1.0.0", tool_extension_variants());
    auto root = home / "root";
    auto source = "oci:" + layout.string() + ":1.0.0";
    std::vector<std::string> install{"install",     source,          "--platform",
                                     "linux/amd64", "--root",        root.string(),
                                     "--name",      "acme/tool-ext", "--json"};
    REQUIRE(run_deskext(install, home.path()).exit_code == 0);
    auto before = read_tree(root / "acme_tool-ext");

    // Flip one byte in the middle of every layer blob (largest files in blobs/sha256).
    for (const auto& blob : std::filesystem::directory_iterator(layout / "blobs/sha256")) {
        if (blob.file_size() < 200) continue;
        auto bytes = slurp(blob.path());
        if (bytes.front() != '\x1f') continue;  // gzip layers only, not JSON documents
        bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x55);
        std::ofstream(blob.path(), std::ios::binary | std::ios::trunc) << bytes;
    }
    install.push_back("--force");
    auto run = run_deskext(install, home.path());
    INFO(run.err << run.out);
    CHECK(run.exit_code == 7);
    CHECK(run.last()["code"] == "integrity");
    CHECK(read_tree(root / "acme_tool-ext") == before);
    std::vector<std::string> entries;
    for (const auto& e : std::filesystem::directory_iterator(root))
        entries.push_back(e.path().filename().string());
    CHECK(entries == std::vector<std::string>{"acme_tool-ext"});
}

TEST_CASE("cli: usage errors and version", "[integration][cli]") {
    fixtures::TempDir home;
    CHECK(run_deskext({"frobnicate", "--json"}, home.path()).exit_code == 2);
    CHECK(run_deskext({"install", "--json"}, home.path()).exit_code == 2);
    CHECK(run_deskext({"install", "x", "--bogus"}, home.path()).exit_code == 2);
    CHECK(run_deskext({"install", "x", "--platform", "linux"}, home.path()).exit_code == 2);
    auto missing = run_deskext({"install", (home / "nope.tar").string(), "--json"}, home.path());
    CHECK(missing.exit_code == 3);
    auto version = run_deskext({"version", "--json"}, home.path());
    REQUIRE(version.exit_code == 0);
    CHECK(version.last()["extension_api_version"] == "0.3.4");
    CHECK(version.last()["host_platform"].get<std::string>().starts_with("linux/"));
}

TEST_CASE("cli: output lines end in a bare newline", "[integration][cli][host]") {
    // Windows' C runtime writes "\r\n" for "\n" unless the streams are binary
    // (platform::set_binary_standard_streams): a --json line ends in "\n" on every OS.
    fixtures::TempDir home;
    const std::vector<std::vector<std::string>> commands{
        {"version", "--json"}, {"frobnicate", "--json"}, {"version"}, {"frobnicate"}};
    for (const auto& args : commands) {
        auto run = run_deskext(args, home.path());
        INFO(args.front() << " " << args.size() << ": " << run.out << run.err);
        REQUIRE_FALSE((run.out + run.err).empty());
        CHECK((run.out + run.err).find('\r') == std::string::npos);
        CHECK((run.out.empty() || run.out.ends_with('\n')));
        CHECK((run.err.empty() || run.err.ends_with('\n')));
    }
}

TEST_CASE("cli: version reports the build and the host", "[integration][cli]") {
    fixtures::TempDir home;
    // What this test process was built with is what the deskext next to it was built with.
    const std::string built_for = platform::to_string(
        platform::make_platform(build_info::build_system, build_info::build_processor));
    const std::string host = platform::to_string(platform::detect_host());
    const std::string commit = build_info::git_commit;
    REQUIRE_FALSE(commit.empty());
    CHECK((commit == "unknown" || std::regex_match(commit, std::regex("[0-9a-f]{12}(-dirty)?"))));

    auto json = run_deskext({"version", "--json"}, home.path());
    REQUIRE(json.exit_code == 0);
    REQUIRE(json.events.size() == 1);
    const auto& result = json.last();
    CHECK(result["event"] == "result");
    CHECK(result["command"] == "version");
    CHECK(result["version"] == build_info::version);
    CHECK(result["version"] == "0.1.0");  // project(deskext VERSION ...) in CMakeLists.txt
    CHECK(result["commit"] == commit);
    CHECK(result["extension_api_version"] == build_info::extension_api_version);
    CHECK(result["build_platform"] == built_for);
    CHECK(result["host_platform"] == host);

    // For people: every fact on stdout, nothing on stderr; --version is the same command.
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"version"}, std::vector<std::string>{"--version"}}) {
        auto human = run_deskext(args, home.path());
        REQUIRE(human.exit_code == 0);
        CHECK(human.err.empty());
        for (const std::string& fact : {std::string("deskext ") + build_info::version, commit,
                                        std::string(build_info::extension_api_version),
                                        "built for " + built_for, "host " + host})
            CHECK(human.out.find(fact) != std::string::npos);
    }
}
