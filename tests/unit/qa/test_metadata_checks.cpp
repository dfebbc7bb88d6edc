// validate's metadata.json checks on the ten real extensions of the corpus, each with the
// findings it deserves from metadata alone (the defects that need the image's binaries are
// covered by tests/integration/test_qa.cpp), and on hand-made files for the schema findings.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "deskext/qa/validate.hpp"

using namespace deskext;
using namespace deskext::qa;

namespace {

std::string corpus_metadata(const std::string& folder) {
    const auto path = std::filesystem::path(DESKEXT_CORPUS_DIR) / folder / "metadata.json";
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::vector<std::string> codes(const std::vector<Finding>& findings) {
    std::vector<std::string> out;
    for (const auto& f : findings) out.push_back(f.code);
    return out;
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("qa: corpus extensions with nothing to report from metadata alone", "[qa]") {
    // Their defects (vcluster and the SDK sample: amd64 binaries in the arm64 variant; epinio:
    // windows amd64 only) are in the binaries, not in metadata.json; tailscale's scripts and
    // localstack's two arch-suffixed builds are deliberate.
    for (const char* folder :
         {"tailscale__docker-extension", "kubescape__docker-desktop-extension",
          "rancher-sandbox__epinio-desktop-extension", "loft-sh__vcluster-dd-extension",
          "docker__extensions-sdk", "localstack__localstack-docker-extension"}) {
        INFO(folder);
        CHECK(check_metadata(corpus_metadata(folder)).empty());
    }
}

TEST_CASE("qa: okteto declares a windows binary for linux", "[qa]") {
    auto findings = check_metadata(corpus_metadata("okteto__docker-desktop-extension"));
    REQUIRE(codes(findings) == std::vector<std::string>{"binary_in_other_os_folder"});
    const auto& f = findings[0];
    CHECK(f.severity == Severity::warning);
    CHECK(
        contains(f.message, "linux entry \"/windows/okteto-extension\" lies in a windows folder"));
    CHECK(contains(f.fix, "\"/linux/okteto-extension\""));
}

TEST_CASE("qa: volumes-backup hard-codes amd64 for every OS", "[qa]") {
    auto findings = check_metadata(corpus_metadata("docker__volumes-backup-extension"));
    REQUIRE(codes(findings) == std::vector<std::string>{"binary_arch_in_path",
                                                        "binary_arch_in_path",
                                                        "binary_arch_in_path"});
    // Apple silicon gets /host/darwin-amd64/...
    CHECK(contains(findings[0].message,
                   "host.binaries darwin names only amd64 builds "
                   "(\"/host/darwin-amd64/docker-credentials-client\")"));
    CHECK(contains(findings[0].message, "darwin/arm64 hosts"));
    CHECK(contains(findings[0].fix, "universal"));
    CHECK(contains(findings[1].message, "linux/arm64 hosts"));
    CHECK(contains(findings[2].message, "windows/arm64 hosts"));
    for (const auto& f : findings) CHECK(f.severity == Severity::warning);
}

TEST_CASE("qa: gefyra lists a directory and its content, windows x64 only", "[qa]") {
    auto findings = check_metadata(corpus_metadata("gefyrahq__gefyra-docker-desktop-extension"));
    REQUIRE(codes(findings) ==
            std::vector<std::string>{"binary_arch_in_path", "nested_binary_entries"});
    CHECK(contains(findings[0].message, "host.binaries windows names only amd64 builds"));
    CHECK(contains(findings[0].message, "x64.dll"));
    CHECK(contains(findings[1].message, "host.binaries windows: "));
    CHECK(contains(findings[1].message, "lie inside a declared directory (\"/windows/\")"));
    CHECK(contains(findings[1].fix, "either the directory or the files"));
}

TEST_CASE("qa: aluedeke declares no linux binaries", "[qa]") {
    // Its darwin binary is always arm64: that needs the image's headers to see.
    auto findings = check_metadata(corpus_metadata("aluedeke__mobile-docker-extension"));
    REQUIRE(codes(findings) == std::vector<std::string>{"missing_os_binaries"});
    CHECK(contains(findings[0].message, "declares nothing for linux"));
    CHECK(findings[0].severity == Severity::warning);
}

TEST_CASE("qa: every schema finding is reported, not only the first", "[qa]") {
    auto findings = check_metadata(R"({
  "icon": 3,
  "uii": {},
  "ui": { "dashboard-tab": { "title": "T", "root": "/../ui", "extra": 1 } },
  "vm": { "exposes": { "socket": "s", "port": 1 } },
  "host": { "binaries": [ { "macos": [], "linux": [ { "pth": "/x" }, "nope" ] } ] }
})");
    std::vector<std::string> expected = {
        "unknown_key",    // uii
        "wrong_type",     // icon
        "unknown_key",    // ui.dashboard-tab.extra
        "missing_field",  // ui.dashboard-tab.src
        "unsafe_path",    // ui.dashboard-tab.root
        "unknown_key",    // vm.exposes.port
        "missing_field",  // vm.image / composefile
        "unknown_key",    // macos
        "unknown_key",    // pth
        "missing_field",  // path
        "wrong_type",     // "nope"
    };
    CHECK(codes(findings) == expected);
    for (const auto& f : findings) {
        CHECK(f.severity == Severity::error);
        CHECK_FALSE(f.fix.empty());
        CHECK(f.message.starts_with("metadata.json"));
    }
    CHECK(contains(findings[0].message, "unknown key \"uii\" at the top level"));
    CHECK(contains(findings[1].message, "icon: expected a string, found number"));
    CHECK(contains(findings[7].message, "unknown key \"macos\" in host.binaries[0]"));
    CHECK(contains(findings[7].fix, "darwin, windows, linux"));
}

TEST_CASE("qa: what the parser alone sees is still reported", "[qa]") {
    auto duplicate = check_metadata(R"({"icon": "a.svg", "icon": "b.svg"})");
    REQUIRE(codes(duplicate) == std::vector<std::string>{"invalid_metadata"});
    CHECK(contains(duplicate[0].message, "\"icon\" appears twice"));

    auto broken = check_metadata(R"({"icon": )");
    REQUIRE(codes(broken) == std::vector<std::string>{"invalid_json"});
    CHECK(contains(broken[0].message, "not valid JSON"));

    auto no_icon = check_metadata(R"({"ui": {}})");
    CHECK(codes(no_icon) == std::vector<std::string>{"missing_field"});

    auto collision = check_metadata(R"({"icon": "i.svg", "host": {"binaries": [
        {"linux": [{"path": "/a/tool"}, {"path": "/b/tool"}],
         "darwin": [{"path": "/darwin/tool"}], "windows": [{"path": "/windows/tool.exe"}]}]}})");
    REQUIRE(codes(collision) == std::vector<std::string>{"binary_placement"});
    CHECK(contains(collision[0].message, "would both be installed as host/tool"));

    auto exe_for_linux = check_metadata(R"({"icon": "i.svg", "host": {"binaries": [
        {"linux": [{"path": "/bin/tool.exe"}], "darwin": [{"path": "/darwin/tool"}],
         "windows": [{"path": "/windows/tool.exe"}]}]}})");
    CHECK(codes(exe_for_linux) == std::vector<std::string>{"windows_binary_for_other_os"});
}

TEST_CASE("qa: label checks on the labels the corpus Dockerfiles set", "[qa]") {
    const std::map<std::string, std::string> complete = {
        {"org.opencontainers.image.title", "Mobile Device Relay"},
        {"org.opencontainers.image.description", "Access USB-connected iOS devices"},
        {"org.opencontainers.image.vendor", "aluedeke"},
        {"com.docker.desktop.extension.api.version", "0.3.4"},
        {"com.docker.desktop.extension.icon", "https://example.com/icon.svg"},
        {"com.docker.extension.categories", "utility"},
        {"com.docker.extension.detailed-description", "Bridges the usbmuxd socket"},
        {"com.docker.extension.publisher-url", "https://github.com/aluedeke"},
        {"com.docker.extension.additional-urls",
         R"([{"title":"Documentation","url":"https://example.com"}])"},
        {"com.docker.extension.screenshots", R"([{"alt":"Main UI","url":"https://e.com/s.png"}])"},
        {"com.docker.extension.changelog", "Initial release"}};
    // aluedeke: everything required, but "utility" is not a Marketplace category.
    auto aluedeke = check_labels(complete, "0.3.4");
    REQUIRE(codes(aluedeke) == std::vector<std::string>{"unknown_category"});
    CHECK(aluedeke[0].severity == Severity::warning);
    CHECK(contains(aluedeke[0].fix, "utility-tools"));

    auto good = complete;
    good["com.docker.extension.categories"] = "networking, security";
    CHECK(check_labels(good, "0.3.4").empty());

    // The SDK's kubernetes sample: empty icon, screenshots, descriptions, URL and changelog.
    auto sample = complete;
    for (const char* empty :
         {"com.docker.desktop.extension.icon", "com.docker.extension.screenshots",
          "com.docker.extension.detailed-description", "com.docker.extension.publisher-url",
          "com.docker.extension.additional-urls", "com.docker.extension.changelog"})
        sample[empty] = "";
    sample.erase("com.docker.extension.categories");
    sample["com.docker.desktop.extension.api.version"] = ">= 0.2.3";
    auto sample_findings = check_labels(sample, "0.3.4");
    CHECK(codes(sample_findings) == std::vector<std::string>(5, "missing_label"));
    CHECK(contains(sample_findings[0].message, "label com.docker.desktop.extension.icon is empty"));

    // okteto and tailscale ship no changelog; epinio requires ">= 0.2.0" (fine).
    auto no_changelog = good;
    no_changelog.erase("com.docker.extension.changelog");
    auto missing = check_labels(no_changelog, "0.3.4");
    REQUIRE(codes(missing) == std::vector<std::string>{"missing_label"});
    CHECK(contains(missing[0].message, "com.docker.extension.changelog is missing"));

    auto bad = good;
    bad["com.docker.desktop.extension.api.version"] = ">= 0.4.0";
    bad["com.docker.extension.screenshots"] = R"([{"alt":"x"}])";
    bad["com.docker.extension.additional-urls"] = "not json";
    bad["com.docker.extension.publisher-url"] = "example.com";
    bad["com.docker.extension.account-info"] = "yes";
    auto bad_findings = check_labels(bad, "0.3.4");
    CHECK(codes(bad_findings) == std::vector<std::string>{"incompatible_api", "invalid_screenshots",
                                                          "invalid_additional_urls", "invalid_url",
                                                          "invalid_account_info"});
    CHECK(contains(bad_findings[0].message, "\">= 0.4.0\""));
    CHECK(contains(bad_findings[0].message, "0.3.4"));
    CHECK(contains(bad_findings[1].message, "element 0 has no non-empty string \"url\""));

    bad["com.docker.desktop.extension.api.version"] = "newest";
    CHECK(codes(check_labels(bad, "0.3.4"))[0] == "invalid_api_version");
    CHECK(known_categories().size() == 12);
}
