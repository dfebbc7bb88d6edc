// inspect, validate and export read registry images with the registry options install has:
// against a real TLS registry whose CA the client does not know, each fails as a network error
// naming certs.d, and works with --insecure-registry.

#include <catch2/catch.hpp>

#include "extension_fixture.hpp"
#include "fixtures/test_registry.hpp"

using namespace deskext;
using namespace deskext::testing;
namespace fs = std::filesystem;

TEST_CASE("qa: inspect, validate and export take --insecure-registry",
          "[integration][qa][registry]") {
    fixtures::TempDir work("deskext-qa-registry-");
    const auto layout = work / "layout";
    fixtures::write_multi_arch_image(layout, "1.0.0", tool_extension_variants());
    fixtures::RegistryOptions options;
    options.tls = true;
    fixtures::TestRegistry registry(work / "registry", options);
    registry.push(layout, "1.0.0", "acme/tool-ext:1.0.0");
    const std::string source = registry.host() + "/acme/tool-ext:1.0.0";

    fixtures::TempDir home;
    // No CA anywhere: the registry's certificate cannot be verified.
    const std::map<std::string, std::string> env{{"DESKEXT_CACHE_DIR", (home / "cache").string()},
                                                 {"DESKEXT_CERTS_D", (home / "no-certs").string()},
                                                 {"DOCKER_CONFIG", ""}};
    const std::vector<std::vector<std::string>> commands{
        {"inspect", source, "--all-platforms", "--json"},
        {"validate", source, "--json"},
        {"export", source, "--output", (work / "bundle.tar").string(), "--json"},
        {"install", source, "--platform", "linux/arm64", "--root", (home / "root").string(),
         "--json"},
    };
    for (const auto& command : commands) {
        DYNAMIC_SECTION(command[0]) {
            auto refused = run_deskext(command, home.path(), env);
            INFO(refused.out << refused.err);
            CHECK(refused.exit_code == 6);
            CHECK(refused.last()["code"] == "network");
            CHECK_THAT(refused.last()["message"].get<std::string>(), Catch::Contains("certs.d"));

            auto args = command;
            args.insert(args.end(), {"--insecure-registry", registry.host()});
            auto run = run_deskext(args, home.path(), env);
            INFO(run.out << run.err);
            if (command[0] == "validate") {
                // The test extension lacks the marketplace labels: findings, not a network error.
                CHECK(run.exit_code == 8);
                CHECK_FALSE(run.of("finding").empty());
                CHECK(run.of("started").at(0)["source"] == "docker://" + source);
            } else {
                CHECK(run.exit_code == 0);
            }
            if (command[0] == "inspect") {
                CHECK(run.of("platform").size() == 6);
                CHECK(run.last()["matrix"].size() == 6);
            }
            if (command[0] == "export") {
                auto install = run_deskext(
                    {"install", "oci-archive:" + (work / "bundle.tar").string() + ":" + source,
                     "--platform", "linux/amd64", "--root", (home / "from-bundle").string(),
                     "--json"},
                    home.path());
                CHECK(install.exit_code == 0);
            }
        }
    }
}
