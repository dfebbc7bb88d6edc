// The whole life of an extension on the host deskext runs on, with no --platform: deskext must
// detect the host, pick the variant of its architecture and install the host binaries of its
// OS, from an OCI layout, an oci-archive and a plain-HTTP registry, then list, verify, update and
// uninstall it, with the JSON events and exit codes of docs/events.md. Tagged [host]: these run
// in the Linux suite against the Linux binary, and against deskext.exe under Wine
// (tests/windows/run-tests.sh sets DESKEXT_TEST_COMMAND), where the host is windows/amd64.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "extension_fixture.hpp"
#include "fixtures/background_process.hpp"
#include "fixtures/oci_archive.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using namespace deskext::testing;
namespace fs = std::filesystem;

namespace {

// The extension's name (--name) and the directory it is installed in.
const std::string full_name = "acme/tool-ext";
const std::string name = "acme_tool-ext";

struct Host {
    std::string os;
    std::string arch;
    [[nodiscard]] std::string platform() const { return os + "/" + arch; }
};

// The host as deskext itself reports it.
Host detect_host(const fs::path& home) {
    const auto run = run_deskext({"version", "--json"}, home);
    REQUIRE(run.exit_code == 0);
    const std::string platform = run.last()["host_platform"];
    const auto slash = platform.find('/');
    return {platform.substr(0, slash), platform.substr(slash + 1)};
}

// The name of the test extension's binary for `os` under host/.
std::string binary_of(const std::string& os) { return os == "windows" ? "tool.exe" : "tool"; }

// Two versions of the test extension, as a layout each and the first also as an oci-archive.
struct Images {
    fixtures::TempDir dir{"deskext-host-"};
    fs::path v1 = dir / "v1";
    fs::path v2 = dir / "v2";
    fs::path archive = dir / "v1.tar";
    Images() {
        fixtures::write_multi_arch_image(v1, "1.0.0", tool_extension_variants("1.0.0"));
        fixtures::write_multi_arch_image(v2, "2.0.0", tool_extension_variants("2.0.0"));
        fixtures::write_oci_archive(v1, archive);
    }
};

// A --json run that succeeded and ended with a `result` event for `command`.
const nlohmann::json& check_result(const Run& run, const std::string& command) {
    INFO(run.err << run.out);
    REQUIRE(run.exit_code == 0);
    REQUIRE(!run.events.empty());
    // ls and verify report only their result (docs/events.md).
    if (command != "ls" && command != "verify") CHECK(run.events.front()["event"] == "started");
    REQUIRE(run.last()["event"] == "result");
    CHECK(run.last()["command"] == command);
    CHECK(run.last()["ok"] == true);
    return run.last();
}

// The install under `root` holds the files the host gets, and the host's own binary.
void check_installed(const fs::path& root, const Host& host, const std::string& version) {
    const auto tree = read_tree(root / name);
    CHECK(tree.at("metadata.json") == tool_metadata());
    CHECK(tree.at("tool.svg") == tool_icon());
    CHECK(tree.at("ui/ui/index.html") == tool_ui_index());
    CHECK(tree.at("host/" + binary_of(host.os)) == tool_bytes(host.os, host.arch));
    CHECK(tree.count("etc/passwd") == 0);
    const auto ls = run_deskext({"ls", "--root", root.string(), "--json"}, root.parent_path());
    const auto& result = check_result(ls, "ls");
    REQUIRE(result["extensions"].size() == 1);
    CHECK(result["extensions"][0]["name"] == name);
    CHECK(result["extensions"][0]["broken"] == false);
    CHECK(result["extensions"][0]["version"] == version);
    CHECK(result["extensions"][0]["platform"] == host.platform());
}

}  // namespace

TEST_CASE("host: install, verify, update and uninstall for the host deskext runs on",
          "[integration][host]") {
    Images images;
    fixtures::TempDir home;
    const Host host = detect_host(home.path());
    const auto root = home / "root";
    const std::vector<std::string> at_root{"--root", root.string(), "--json"};
    const auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), at_root.begin(), at_root.end());
        return run_deskext(args, home.path());
    };

    const auto install =
        with({"install", "oci:" + images.v1.string() + ":1.0.0", "--name", full_name});
    const auto& installed = check_result(install, "install");
    CHECK(installed["name"] == name);
    CHECK(installed["platform"] == host.platform());
    CHECK(installed["image_platform"] == "linux/" + host.arch);
    const auto binaries = installed["binaries"].get<std::vector<std::string>>();
    CHECK(std::ranges::count(binaries, "host/" + binary_of(host.os)) == 1);
    CHECK(installed["unchanged"] == false);
    check_installed(root, host, "1.0.0");

    const auto again =
        with({"install", "oci-archive:" + images.archive.string(), "--name", full_name});
    CHECK(check_result(again, "install")["unchanged"] == true);

    const auto verify = with({"verify", name});
    CHECK(check_result(verify, "verify")["drift"].empty());

    const auto update =
        with({"update", "oci:" + images.v2.string() + ":2.0.0", "--name", full_name});
    CHECK(check_result(update, "update")["version"] == "2.0.0");
    check_installed(root, host, "2.0.0");

    const auto uninstall = with({"uninstall", name});
    check_result(uninstall, "uninstall");
    CHECK_FALSE(fs::exists(root / name));
}

TEST_CASE("host: an install that fails keeps the installed version, with the documented codes",
          "[integration][host]") {
    Images images;
    fixtures::TempDir home;
    const Host host = detect_host(home.path());
    const auto root = home / "root";
    REQUIRE(run_deskext(
                {"install", images.archive.string(), "--root", root.string(), "--name", full_name},
                home.path())
                .exit_code == 0);
    const auto before = read_tree(root / name);

    const auto expect_error = [&](const std::vector<std::string>& args, int exit_code,
                                  const std::string& code) {
        auto argv = args;
        argv.insert(argv.end(), {"--root", root.string(), "--json"});
        const auto run = run_deskext(argv, home.path());
        INFO(run.err << run.out);
        CHECK(run.exit_code == exit_code);
        REQUIRE(!run.events.empty());
        CHECK(run.last()["event"] == "error");
        CHECK(run.last()["code"] == code);
        CHECK(read_tree(root / name) == before);
    };
    expect_error({"install", "oci:" + images.v2.string() + ":9.9.9", "--name", full_name}, 3,
                 "not_found");
    expect_error({"install", "oci:" + images.v2.string() + ":2.0.0", "--name", full_name,
                  "--platform", "plan9/amd64"},
                 2, "usage");
}

// A loopback registry may use plain HTTP without --insecure-registry, as with docker; the option
// is given here as it is for any other plain-HTTP registry.
TEST_CASE("host: install from a registry over plain HTTP", "[integration][host]") {
    Images images;
    fixtures::TempDir home;
    const Host host = detect_host(home.path());
    fixtures::TestRegistry registry(images.dir / "registry", {});
    registry.push(images.v1, "1.0.0", "acme/tool-ext:1.0.0");
    const auto root = home / "root";
    const std::string reference = registry.host() + "/acme/tool-ext:1.0.0";

    const auto run = run_deskext({"install", reference, "--root", root.string(), "--json",
                                  "--insecure-registry", registry.host(), "--name", full_name},
                                 home.path(), {{"DESKEXT_CACHE_DIR", (home / "cache").string()}});
    const auto& result = check_result(run, "install");
    CHECK(result["platform"] == host.platform());
    check_installed(root, host, "1.0.0");
}

// HTTPS with the test CA, given as Docker gives it: certs.d/<host:port>/ca.crt (here the
// certs.d of DESKEXT_CERTS_D: under Wine ~/.docker is in the Wine profile, not in HOME). On
// Windows libcurl's TLS is Schannel's, which checks the chain against a CA file through
// libcurl's own code. An unknown CA, or none, is refused with exit 6 before anything is
// installed. The registry is named localhost: its certificate names both localhost and
// 127.0.0.1, but libcurl 7.88 with Schannel matches only DNS names when it checks against a CA
// file, so on Windows a registry named by its IP address is refused (docs/registry.md).
TEST_CASE("host: install from a registry over HTTPS with the test CA in certs.d",
          "[integration][host]") {
    Images images;
    fixtures::TempDir home;
    const Host host = detect_host(home.path());
    fixtures::RegistryOptions options;
    options.tls = true;
    fixtures::TestRegistry registry(images.dir / "registry", options);
    registry.push(images.v1, "1.0.0", "acme/tool-ext:1.0.0");
    const auto wrong = fixtures::make_test_pki(images.dir / "wrong-pki");
    const std::string port = registry.host().substr(registry.host().rfind(':') + 1);
    const std::string authority = "localhost:" + port;
    const auto root = home / "root";
    const auto certs_d = home / "certs.d";
    const auto install = [&](const std::string& registry_host, const fs::path& into) {
        return run_deskext({"install", registry_host + "/acme/tool-ext:1.0.0", "--root",
                            into.string(), "--json", "--name", full_name},
                           home.path(),
                           {{"DESKEXT_CACHE_DIR", (home / "cache").string()},
                            {"DESKEXT_CERTS_D", certs_d.string()},
                            {"DOCKER_CONFIG", (home / "docker").string()}});
    };
    const auto refused = [&](const Run& run, const fs::path& into) {
        INFO(run.err << run.out);
        CHECK(run.exit_code == 6);
        REQUIRE(!run.events.empty());
        CHECK(run.last()["code"] == "network");
        CHECK_THAT(run.last()["message"].get<std::string>(), Catch::Contains("certs.d"));
        CHECK_FALSE(fs::exists(into / name));
    };

    fs::create_directories(certs_d / authority);
    const auto no_ca = install(authority, root);
    if (!through_test_command()) {
        refused(no_ca, root);  // no CA for the registry
    } else {
        // Wine's Schannel checks no server certificate when libcurl leaves the check to it, as
        // it does without a CA file (SCH_CRED_AUTO_CRED_VALIDATION): an unknown CA is accepted
        // under Wine, unlike on Windows (docs/testing.md). Checked, so that a Wine that verifies
        // is noticed.
        INFO(no_ca.err << no_ca.out);
        CHECK(no_ca.exit_code == 0);
        fs::remove_all(root);
    }

    fs::copy_file(wrong.ca_cert, certs_d / authority / "ca.crt");
    refused(install(authority, root), root);  // a CA that did not sign the certificate

    fs::copy_file(registry.pki()->ca_cert, certs_d / authority / "ca.crt",
                  fs::copy_options::overwrite_existing);
    const auto run = install(authority, root);
    const auto& result = check_result(run, "install");
    CHECK(result["platform"] == host.platform());
    check_installed(root, host, "1.0.0");

    // The same registry named by its address, with the same CA.
    fs::create_directories(certs_d / registry.host());
    fs::copy_file(registry.pki()->ca_cert, certs_d / registry.host() / "ca.crt");
    const auto by_ip = install(registry.host(), home / "root-by-ip");
    if (host.os == "windows") {
        refused(by_ip, home / "root-by-ip");
    } else {
        check_result(by_ip, "install");
    }
}

// Windows paths: a drive letter and backslashes in every place a path is accepted. Under Wine
// the Linux root is drive Z:, so the test's directories are reached as Z:\tmp\….
TEST_CASE("host: Windows paths with a drive letter and backslashes", "[integration][host]") {
    fixtures::TempDir home;
    const Host host = detect_host(home.path());
    if (host.os != "windows") {
        SUCCEED("the host is " << host.platform() << ": no drive letters");
        return;
    }
    const auto windows = [](const fs::path& path) {
        std::string text = "Z:" + path.string();
        std::ranges::replace(text, '/', '\\');
        return text;
    };
    Images images;
    const auto root = home / "root";
    const std::vector<std::vector<std::string>> sources{
        {"oci-archive:" + windows(images.archive)},
        {windows(images.archive)},
        {"oci:" + windows(images.v1) + ":1.0.0"},
        {"oci:" + windows(images.v1)},
    };
    for (const auto& source : sources) {
        INFO(source.front());
        fs::remove_all(root);
        const auto run = run_deskext(
            {"install", source.front(), "--root", windows(root), "--name", full_name, "--json"},
            home.path());
        check_result(run, "install");
        check_installed(root, host, "1.0.0");
    }
}

// Where the swap takes several renames (Windows), the installed version is first parked beside
// itself; a process killed right then leaves the extension's name missing. The next run puts it
// back (a crash later leaves the new version in place, and the parked one is removed).
TEST_CASE("host: the next run finishes a swap a killed update cut short", "[integration][host]") {
    Images images;
    fixtures::TempDir home;
    const Host host = detect_host(home.path());
    const auto root = home / "root";
    const auto install = run_deskext({"install", images.archive.string(), "--root", root.string(),
                                      "--name", full_name, "--json"},
                                     home.path());
    check_result(install, "install");
    const auto before = read_tree(root / name);

    SECTION("killed with the old version parked: it is restored") {
        fs::rename(root / name, root / ("." + name + ".swap-0123-4567-89ab"));
        fs::create_directories(root / ("." + name + ".staging-0123-4567-89ab"));
    }
    SECTION("killed with the new version in place: the parked one is removed") {
        fs::create_directories(root / ("." + name + ".swap-0123-4567-89ab"));
    }
    const auto verify =
        run_deskext({"verify", name, "--root", root.string(), "--json"}, home.path());
    check_result(verify, "verify");
    CHECK(read_tree(root / name) == before);
    for (const auto& entry : fs::directory_iterator(root)) {
        CHECK_FALSE(entry.path().filename().string().starts_with("." + name));
    }
    check_installed(root, host, "1.0.0");
}

namespace {

// A host binary that really runs on the host: says "running", then sleeps for the seconds it is
// given. A Windows console program (built with mingw-w64: tests/fixtures/programs) for windows,
// a shell script elsewhere.
std::string running_tool(const std::string& os) {
    if (os != "windows") return "#!/bin/sh\necho running\nexec sleep \"$1\"\n";
#ifdef DESKEXT_WINDOWS_SLEEPER
    return slurp(DESKEXT_WINDOWS_SLEEPER);
#else
    throw std::runtime_error(
        "no Windows test program: mingw-w64's C compiler "
        "(x86_64-w64-mingw32-gcc) was not found when the tests were configured");
#endif
}

// The test extension, with the host binary of every OS replaced by one that runs.
std::vector<fixtures::ImageVariant> running_tool_variants(const std::string& version) {
    auto variants = tool_extension_variants(version);
    for (auto& variant : variants) {
        for (auto& entry : variant.layers.back()) {
            if (entry.name == "windows/tool.exe") entry.data = running_tool("windows");
            if (entry.name == "linux/tool" || entry.name == "darwin/tool") {
                entry.data = running_tool("linux");
                entry.mode = 0755;
            }
        }
    }
    return variants;
}

// What an interrupted or unfinished command left in the root: hidden entries of the extension.
std::vector<std::string> leftovers(const fs::path& root) {
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(root)) {
        const auto file = entry.path().filename().string();
        if (file.starts_with("." + name)) found.push_back(file);
    }
    return found;
}

// Starts the installed host binary `binary` and waits until it runs.
std::unique_ptr<fixtures::BackgroundProcess> start_host_binary(const fs::path& binary,
                                                               const fs::path& log) {
    auto program =
        std::make_unique<fixtures::BackgroundProcess>(host_command(binary, {"120"}), log);
    const bool started = fixtures::wait_until(*program, 30000, [&] {
        return fixtures::read_text(log).find("running") != std::string::npos;
    });
    INFO(fixtures::read_text(log));
    REQUIRE(started);
    return program;
}

// `run` replaced or removed an extension while its host binary ran. Either it succeeded, and
// whatever it could not remove yet (a running program's file on Windows) is named in one warning
// and left in a hidden directory of the root; or it failed with exit 11 naming the file in use,
// with the extension as `before` and nothing left behind.
void check_in_use_outcome(const Run& run, const std::string& command, const fs::path& root,
                          const std::map<std::string, std::string>& before,
                          const std::string& binary) {
    INFO(run.err << run.out);
    const auto left = leftovers(root);
    if (run.exit_code == 0) {
        check_result(run, command);
        const auto warnings = run.of("warning");
        if (left.empty()) {
            CHECK(warnings.empty());
        } else {
            CHECK(left.size() == 1);
            REQUIRE(warnings.size() == 1);
            const std::string message = warnings.front()["message"];
            CHECK_THAT(message, Catch::Contains(left.front()));
            CHECK_THAT(message, Catch::Contains(binary + ": it is in use by another process"));
            CHECK_THAT(message, Catch::Contains("until a later run removes it"));
        }
        return;
    }
    CHECK(run.exit_code == 11);
    REQUIRE(!run.events.empty());
    CHECK(run.last()["code"] == "filesystem");
    const std::string message = run.last()["message"];
    CHECK_THAT(message, Catch::Contains(binary) && Catch::Contains("is in use by another process"));
    CHECK(read_tree(root / name) == before);
    CHECK(left.empty());
}

}  // namespace

// Windows refuses to delete or overwrite a running program, and to rename a directory holding a
// file in use; Linux and macOS allow all three. An update or an uninstall while the installed
// host binary runs must either succeed, leaving what it could not remove for a later run, or fail
// with exit 11 naming the file, the installed version whole.
TEST_CASE("host: update and uninstall while the installed host binary runs",
          "[integration][host]") {
    fixtures::TempDir dir{"deskext-host-running-"};
    fixtures::TempDir home;
    const Host host = detect_host(home.path());
    fixtures::write_multi_arch_image(dir / "v1", "1.0.0", running_tool_variants("1.0.0"));
    fixtures::write_multi_arch_image(dir / "v2", "2.0.0", running_tool_variants("2.0.0"));
    const auto root = home / "root";
    const auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), {"--root", root.string(), "--json"});
        return run_deskext(args, home.path());
    };
    const std::string binary = binary_of(host.os);
    const auto installed_binary = root / name / "host" / binary;
    const auto version_of = [&] {
        const auto ls = with({"ls"});
        const auto& result = check_result(ls, "ls");
        REQUIRE(result["extensions"].size() == 1);
        CHECK(result["extensions"][0]["broken"] == false);
        return result["extensions"][0]["version"].get<std::string>();
    };
    check_result(with({"install", "oci:" + (dir / "v1").string() + ":1.0.0", "--name", full_name}),
                 "install");
    const auto v1 = read_tree(root / name);
    CHECK(v1.at("host/" + binary) == running_tool(host.os));

    auto program = start_host_binary(installed_binary, dir / "v1.log");
    const auto update =
        with({"update", "oci:" + (dir / "v2").string() + ":2.0.0", "--name", full_name});
    check_in_use_outcome(update, "update", root, v1, binary);
    const bool updated = update.exit_code == 0;
    const bool left_behind = !leftovers(root).empty();
    CHECK(version_of() == (updated ? "2.0.0" : "1.0.0"));
    CHECK(read_tree(root / name).at("host/" + binary) == running_tool(host.os));
    CHECK(check_result(with({"verify", name}), "verify")["drift"].empty());
    program->stop();

    // Once the program has stopped, the next run removes what was left; a failed update now
    // goes through.
    if (updated) {
        const auto verify = with({"verify", name});
        check_result(verify, "verify");
        CHECK(verify.of("cleanup").size() == (left_behind ? 1U : 0U));
    } else {
        check_result(
            with({"update", "oci:" + (dir / "v2").string() + ":2.0.0", "--name", full_name}),
            "update");
    }
    CHECK(leftovers(root).empty());
    CHECK(version_of() == "2.0.0");

    const auto v2 = read_tree(root / name);
    program = start_host_binary(installed_binary, dir / "v2.log");
    const auto uninstall = with({"uninstall", name});
    check_in_use_outcome(uninstall, "uninstall", root, v2, binary);
    const bool uninstalled = uninstall.exit_code == 0;
    const bool uninstall_left = !leftovers(root).empty();
    CHECK(fs::exists(root / name) == !uninstalled);
    program->stop();
    if (uninstalled) {
        CHECK(with({"ls"}).last()["extensions"].empty());
        const auto verify = with({"verify", name});
        CHECK(verify.exit_code == 3);
        CHECK(verify.of("cleanup").size() == (uninstall_left ? 1U : 0U));
    } else {
        check_result(with({"uninstall", name}), "uninstall");
    }
    CHECK(leftovers(root).empty());
    CHECK_FALSE(fs::exists(root / name));
}

// Installed paths longer than MAX_PATH (260 characters), which Win32 file calls refuse unless
// given in their extended-length form (\\?\C:\…), and which std::filesystem's directory
// iterators do not reach on Windows: deskext.exe lists and walks them through the platform layer.
TEST_CASE("host: a root so deep that installed paths pass 260 characters", "[integration][host]") {
    Images images;
    fixtures::TempDir home;
    const Host host = detect_host(home.path());
    auto root = home / "deep";
    while (root.string().size() < 240) root /= std::string(40, 'd');
    // The longest installed file: <root>/acme_tool-ext/ui/ui/index.html and the state record.
    REQUIRE((root / name / "ui" / "ui" / "index.html").string().size() > 260);
    const auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), {"--root", root.string(), "--json"});
        return run_deskext(args, home.path());
    };
    const auto install =
        with({"install", "oci:" + images.v1.string() + ":1.0.0", "--name", full_name});
    CHECK(reports_path(check_result(install, "install")["directory"], root / name));
    check_installed(root, host, "1.0.0");
    CHECK(check_result(with({"verify", name}), "verify")["drift"].empty());
    check_result(with({"update", "oci:" + images.v2.string() + ":2.0.0", "--name", full_name}),
                 "update");
    check_installed(root, host, "2.0.0");
    check_result(with({"uninstall", name}), "uninstall");
    CHECK_FALSE(fs::exists(root / name));
    CHECK(fs::is_empty(root));
}
