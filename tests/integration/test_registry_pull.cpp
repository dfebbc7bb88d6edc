// The real deskext binary pulling the multi-arch test extension from a real registry
// (docker-registry, started by tests/fixtures/test_registry.hpp): plain HTTP and anonymous on
// loopback for every host platform, by tag and by digest; then TLS with the test CA found through
// certs.d and htpasswd basic auth with credentials from config.json and a credential helper.
// What a registry install writes must equal what the offline install of the same image writes.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "extension_fixture.hpp"
#include "fixtures/log_text.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using fixtures::base64;
using namespace deskext::testing;
namespace fs = std::filesystem;

namespace {

const std::string repo = "acme/tool-ext";

void write_text(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

// What the offline install of the same layout writes for `platform`, state record left out.
std::map<std::string, std::string> offline_tree(const fs::path& layout,
                                                const std::string& platform) {
    fixtures::TempDir home;
    const auto root = home / "root";
    auto run = run_deskext({"install", "oci:" + layout.string() + ":1.0.0", "--name", "offline",
                            "--platform", platform, "--root", root.string()},
                           home.path());
    REQUIRE(run.exit_code == 0);
    auto tree = read_tree(root / "offline");
    tree.erase(".deskext/state.json");
    return tree;
}

std::map<std::string, std::string> installed_tree(const fs::path& dir) {
    auto tree = read_tree(dir);
    REQUIRE(tree.count(".deskext/state.json") == 1);
    tree.erase(".deskext/state.json");
    return tree;
}

// The directory of acme/tool-ext, from whatever registry (docs/cli.md, "Extension identity").
const std::string ext_dir = "acme_tool-ext";

}  // namespace

TEST_CASE("registry pull: plain HTTP, anonymous, every host platform, by tag and by digest",
          "[integration][registry]") {
    fixtures::TempDir work("deskext-pull-");
    const auto layout = work / "layout";
    fixtures::write_multi_arch_image(layout, "1.0.0", tool_extension_variants());
    fixtures::TestRegistry registry(work / "registry", {});
    const auto digest = registry.push(layout, "1.0.0", repo + ":1.0.0");
    REQUIRE(digest.starts_with("sha256:"));

    fixtures::TempDir home;
    const std::map<std::string, std::string> env{{"DESKEXT_CACHE_DIR", (home / "cache").string()}};
    const std::string by_tag = registry.host() + "/" + repo + ":1.0.0";
    const std::string by_digest = registry.host() + "/" + repo + "@" + digest;

    for (const std::string os : {"darwin", "windows", "linux"}) {
        for (const std::string arch : {"amd64", "arm64"}) {
            const std::string platform = os + "/" + arch;
            for (const auto& source : {by_tag, by_digest}) {
                {
                    INFO(platform << " from " << source);
                    const auto root = home / ("root-" + os + "-" + arch +
                                              (source == by_digest ? "-digest" : "-tag"));
                    const std::vector<std::string> args{"install", source,   "--platform",
                                                        platform,  "--root", root.string(),
                                                        "--json"};
                    const bool emulated = os == "windows" && arch == "arm64";
                    if (emulated) {
                        // The arm64 variant has no windows binary (see the offline tests):
                        // --strict takes none from the amd64 variant.
                        auto strict_args = args;
                        strict_args.push_back("--strict");
                        auto refused = run_deskext(strict_args, home.path(), env);
                        CHECK(refused.exit_code == 8);
                        CHECK_FALSE(fs::exists(root / ext_dir));
                    }
                    auto run = run_deskext(args, home.path(), env);
                    INFO(run.err);
                    INFO(run.out);
                    REQUIRE(run.exit_code == 0);
                    const auto& result = run.last();
                    CHECK(result["ok"] == true);
                    CHECK(result["unchanged"] == false);
                    CHECK(result["name"] == ext_dir);
                    CHECK(result["image_platform"] == "linux/" + arch);
                    CHECK(installed_tree(root / ext_dir) == offline_tree(layout, platform));
                    auto state =
                        nlohmann::json::parse(slurp(root / ext_dir / ".deskext" / "state.json"));
                    CHECK(state["index_digest"] == digest);
                    // Without --strict Windows on Arm takes the amd64 build, fetched from the
                    // registry like the rest.
                    CHECK(state["emulated"].size() == (emulated ? 1u : 0u));
                    CHECK(state["source"] == "docker://" + source);
                    if (source == by_tag) CHECK(state["version"] == "1.0.0");
                }
            }
        }
    }
    // Layers went into the shared cache, content-addressed.
    CHECK(fs::exists(home / "cache" / "blobs" / "sha256"));
    CHECK_FALSE(fs::is_empty(home / "cache" / "blobs" / "sha256"));
}

TEST_CASE("registry pull: errors name what is wrong", "[integration][registry]") {
    fixtures::TempDir work("deskext-pull-");
    fixtures::TempDir home;
    const auto layout = work / "layout";
    fixtures::write_multi_arch_image(layout, "1.0.0", tool_extension_variants());
    fixtures::TestRegistry registry(work / "registry", {});
    registry.push(layout, "1.0.0", repo + ":1.0.0");
    const std::map<std::string, std::string> env{{"DESKEXT_CACHE_DIR", (home / "cache").string()}};
    const auto root = (home / "root").string();

    auto no_tag = run_deskext({"install", registry.host() + "/" + repo + ":2.0.0", "--root", root,
                               "--platform", "linux/amd64", "--json"},
                              home.path(), env);
    CHECK(no_tag.exit_code == 3);
    CHECK(no_tag.last()["code"] == "not_found");
    auto upper = run_deskext({"install", registry.host() + "/Acme/Tool:1.0.0", "--root", root},
                             home.path(), env);
    CHECK(upper.exit_code == 2);
    // Port 9 on loopback refuses connections: a network error, fast.
    auto refused = run_deskext({"install", "127.0.0.1:9/" + repo + ":1.0.0", "--root", root,
                                "--platform", "linux/amd64", "--json"},
                               home.path(), env);
    CHECK(refused.exit_code == 6);
    CHECK_FALSE(fs::exists(home / "root" / ext_dir));
    // Loopback is never sent through a proxy; NO_PROXY is honoured as well.
    auto env_proxy = env;
    env_proxy["HTTP_PROXY"] = "http://127.0.0.1:9";
    env_proxy["http_proxy"] = "http://127.0.0.1:9";
    env_proxy["NO_PROXY"] = "127.0.0.1";
    auto proxied = run_deskext({"install", registry.host() + "/" + repo + ":1.0.0", "--root", root,
                                "--platform", "linux/amd64"},
                               home.path(), env_proxy);
    INFO(proxied.err);
    CHECK(proxied.exit_code == 0);
}

TEST_CASE("registry pull: TLS through certs.d and basic auth from config.json and helpers",
          "[integration][registry]") {
    const std::string user = "alice";
    const std::string password = "pw-3c91f0aa-never-print";
    fixtures::TempDir work("deskext-pull-");
    const auto layout = work / "layout";
    fixtures::write_multi_arch_image(layout, "1.0.0", tool_extension_variants());
    fixtures::RegistryOptions options;
    options.tls = true;
    options.htpasswd = {{user, password}};
    fixtures::TestRegistry registry(work / "registry", options);
    registry.push(layout, "1.0.0", repo + ":1.0.0");
    const std::string source = registry.host() + "/" + repo + ":1.0.0";

    fixtures::TempDir home;
    const std::map<std::string, std::string> env{{"DESKEXT_CACHE_DIR", (home / "cache").string()},
                                                 {"DOCKER_CONFIG", ""},
                                                 {"DESKEXT_CERTS_D", (home / "no-certs").string()}};
    const auto config = home / ".docker" / "config.json";
    auto install = [&](const std::string& root_name,
                       std::map<std::string, std::string> extra = {}) {
        auto all = env;
        for (auto& [k, v] : extra) all[k] = v;
        return run_deskext({"install", source, "--platform", "linux/amd64", "--root",
                            (home / root_name).string(), "--json"},
                           home.path(), all);
    };
    // Every output of every run is checked for the secret and its encodings.
    const std::vector<std::string> secrets{password, base64(user + ":" + password),
                                           base64("wrong-" + password)};
    auto no_secret = [&](const Run& run) {
        for (const auto& secret : secrets) {
            CHECK(run.out.find(secret) == std::string::npos);
            CHECK(run.err.find(secret) == std::string::npos);
        }
    };

    {  // without the CA in certs.d the registry is not trusted
        write_text(config, R"({"auths":{")" + registry.host() + R"(":{"auth":")" +
                               base64(user + ":" + password) + R"("}}})");
        auto run = install("root");
        no_secret(run);
        CHECK(run.exit_code == 6);
        CHECK_THAT(run.last()["message"].get<std::string>(), Catch::Contains("certs.d"));
    }

    fs::create_directories(home / ".docker" / "certs.d" / registry.host());
    fs::copy_file(registry.pki()->ca_cert,
                  home / ".docker" / "certs.d" / registry.host() / "ca.crt");

    {  // no credentials: refused, exit 5, naming the registry
        fs::remove(config);
        auto run = install("root");
        no_secret(run);
        CHECK(run.exit_code == 5);
        CHECK_THAT(run.last()["message"].get<std::string>(), Catch::Contains(registry.host()));
    }
    {  // credentials from config.json auths
        write_text(config, R"({"auths":{")" + registry.host() + R"(":{"auth":")" +
                               base64(user + ":" + password) + R"("}}})");
        auto run = install("root-auths");
        INFO(run.err);
        no_secret(run);
        REQUIRE(run.exit_code == 0);
        CHECK(installed_tree(home / "root-auths" / ext_dir) == offline_tree(layout, "linux/amd64"));
    }
    {  // credentials from a credential helper on PATH
        const auto bin = home / "bin";
        write_text(bin / "docker-credential-deskext-test",
                   "#!/bin/sh\n[ \"$1\" = get ] || exit 3\nread server\n"
                   "if [ \"$server\" = '" +
                       registry.host() +
                       "' ]; then\n"
                       "  printf '{\"ServerURL\":\"%s\",\"Username\":\"" +
                       user + "\",\"Secret\":\"" + password +
                       "\"}' \"$server\"\n"
                       "else echo 'credentials not found in native keychain'; exit 1; fi\n");
        fs::permissions(bin / "docker-credential-deskext-test", fs::perms::owner_all);
        write_text(config, R"({"credHelpers":{")" + registry.host() + R"(":"deskext-test"}})");
        const std::string path =
            bin.string() + ":" + (std::getenv("PATH") ? std::getenv("PATH") : "");
        // A fresh cache: the blobs, too, are fetched with the helper's credentials.
        auto run = install("root-helper",
                           {{"PATH", path}, {"DESKEXT_CACHE_DIR", (home / "cache2").string()}});
        INFO(run.err);
        no_secret(run);
        REQUIRE(run.exit_code == 0);
        CHECK(fs::exists(home / "root-helper" / ext_dir / "metadata.json"));
    }
    {  // a wrong password: exit 5, and the secret appears in no output
        write_text(config, R"({"auths":{")" + registry.host() + R"(":{"auth":")" +
                               base64(user + ":wrong-" + password) + R"("}}})");
        for (const bool json : {true, false}) {
            auto args =
                std::vector<std::string>{"install",     source,   "--platform",
                                         "linux/amd64", "--root", (home / "root-wrong").string()};
            if (json) args.push_back("--json");
            auto run = run_deskext(args, home.path(), env);
            no_secret(run);
            CHECK(run.out.find("wrong-") == std::string::npos);
            CHECK(run.err.find("wrong-") == std::string::npos);
            CHECK(run.exit_code == 5);
            CHECK_FALSE(fs::exists(home / "root-wrong" / ext_dir));
        }
    }
}
