// QA commands on images that reproduce the defects of real extensions (tests/data/corpus): the
// real deskext binary runs `inspect --all-platforms --json`, `validate --json` and
// `install --strict` on each, and on a clean multi-arch image.

#include <catch2/catch.hpp>

#include <functional>

#include "extension_fixture.hpp"
#include "fixtures/host_programs.hpp"

using namespace deskext;
using namespace deskext::testing;

namespace {

const std::vector<std::string> all_hosts = {"darwin/amd64",  "darwin/arm64", "windows/amd64",
                                            "windows/arm64", "linux/amd64",  "linux/arm64"};

std::map<std::string, std::string> full_labels(const std::string& api = ">= 0.3.0") {
    return {{"org.opencontainers.image.title", "Tool"},
            {"org.opencontainers.image.description", "A tool"},
            {"org.opencontainers.image.vendor", "Acme"},
            {"com.docker.desktop.extension.api.version", api},
            {"com.docker.desktop.extension.icon", "https://example.com/tool.svg"},
            {"com.docker.extension.screenshots",
             R"([{"alt":"Main view","url":"https://example.com/1.png"}])"},
            {"com.docker.extension.detailed-description", "<p>A tool</p>"},
            {"com.docker.extension.publisher-url", "https://example.com"},
            {"com.docker.extension.changelog", "First release"},
            {"com.docker.extension.categories", "utility-tools"}};
}

std::string metadata_with(const std::string& binaries) {
    return R"({"icon": "tool.svg",
  "ui": {"dashboard-tab": {"title": "Tool", "src": "index.html", "root": "/ui"}},
  "host": {"binaries": [)" +
           binaries + "]}}";
}

const std::string standard_binaries =
    R"({"darwin": [{"path": "/darwin/tool"}], "windows": [{"path": "/windows/tool.exe"}],
        "linux": [{"path": "/linux/tool"}]})";

std::string program(const std::string& os, const std::string& arch) {
    return fixtures::host_program(os, arch, "tool " + os + "/" + arch);
}

// `binaries(arch)` gives the host files of the variant for `arch`.
using Binaries = std::function<std::vector<fixtures::TarEntry>(const std::string& arch)>;

struct Image {
    fixtures::TempDir dir{"deskext-qa-"};
    std::string source;

    Image(const std::string& metadata, const Binaries& binaries,
          const std::map<std::string, std::string>& labels = full_labels()) {
        std::vector<fixtures::ImageVariant> variants;
        for (std::string arch : {"amd64", "arm64"}) {
            fixtures::ImageVariant v;
            v.architecture = arch;
            v.labels = labels;
            std::vector<fixtures::TarEntry> layer = {
                fixtures::file("metadata.json", metadata),
                fixtures::file("tool.svg", tool_icon()),
                fixtures::dir("ui"),
                fixtures::file("ui/index.html", tool_ui_index()),
            };
            for (auto& entry : binaries(arch)) layer.push_back(std::move(entry));
            v.layers.push_back(std::move(layer));
            variants.push_back(std::move(v));
        }
        fixtures::write_multi_arch_image(dir / "layout", "1.0", variants);
        source = "oci:" + (dir / "layout").string() + ":1.0";
    }
};

// Every OS built for the variant's own arch, in per-OS folders.
std::vector<fixtures::TarEntry> per_arch(const std::string& arch) {
    return {fixtures::file("darwin/tool", program("darwin", arch), 0755),
            fixtures::file("windows/tool.exe", program("windows", arch), 0755),
            fixtures::file("linux/tool", program("linux", arch), 0755)};
}

struct Inspected {
    Run run;
    std::map<std::string, nlohmann::json> platform;  // host → "platform" event
    std::map<std::string, nlohmann::json> matrix;    // host → matrix row
};

Inspected inspect_all(const Image& image, const fixtures::TempDir& home) {
    Inspected i{
        run_deskext({"inspect", image.source, "--all-platforms", "--json"}, home.path()), {}, {}};
    INFO(i.run.err << i.run.out);
    REQUIRE(i.run.exit_code == 0);
    REQUIRE(i.run.events.front()["event"] == "started");
    REQUIRE(i.run.last()["event"] == "result");
    for (const auto& e : i.run.of("platform")) i.platform[e["platform"]] = e;
    for (const auto& row : i.run.last()["matrix"]) i.matrix[row["platform"]] = row;
    REQUIRE(i.platform.size() == 6);
    REQUIRE(i.matrix.size() == 6);
    // The platform events come in the documented order, before the result.
    for (std::size_t n = 0; n < all_hosts.size(); ++n)
        CHECK(i.run.events[n + 1]["platform"] == all_hosts[n]);
    return i;
}

std::vector<std::string> mismatched_hosts(const Inspected& i) {
    std::vector<std::string> hosts;
    for (const auto& host : all_hosts)
        if (i.matrix.at(host)["status"] == "mismatch") hosts.push_back(host);
    return hosts;
}

struct Validated {
    Run run;
    std::vector<nlohmann::json> findings;
    [[nodiscard]] std::vector<nlohmann::json> with_code(const std::string& code) const {
        std::vector<nlohmann::json> out;
        for (const auto& f : findings)
            if (f["code"] == code) out.push_back(f);
        return out;
    }
};

Validated validate(const Image& image, const fixtures::TempDir& home) {
    Validated v{run_deskext({"validate", image.source, "--json"}, home.path()), {}};
    v.findings = v.run.of("finding");
    for (const auto& f : v.findings) {
        CHECK((f["severity"] == "error" || f["severity"] == "warning"));
        CHECK_FALSE(f["message"].get<std::string>().empty());
        CHECK_FALSE(f["fix"].get<std::string>().empty());
    }
    return v;
}

std::vector<std::string> platforms_of(const std::vector<nlohmann::json>& findings) {
    std::vector<std::string> out;
    for (const auto& f : findings)
        for (const auto& p : f["platforms"]) out.push_back(p);
    std::sort(out.begin(), out.end());
    return out;
}

Run install(const Image& image, const fixtures::TempDir& home, const std::string& host,
            bool strict) {
    std::vector<std::string> args = {"install", image.source, "--platform",
                                     host,      "--root",     (home / "root").string(),
                                     "--name",  "acme/tool",  "--json"};
    if (strict) args.push_back("--strict");
    return run_deskext(args, home.path());
}

// --strict refused the install before the swap: exit 8, nothing in the root, no staging left.
void check_strict_refused(const Image& image, const std::string& host, const std::string& file) {
    fixtures::TempDir home;
    auto run = install(image, home, host, true);
    INFO(run.err << run.out);
    CHECK(run.exit_code == 8);
    CHECK(run.last()["code"] == "invalid_extension");
    CHECK(run.last()["message"].get<std::string>().find(file) != std::string::npos);
    CHECK(run.of("installed").empty());
    const auto root = home / "root";
    if (std::filesystem::exists(root)) {
        for (const auto& e : std::filesystem::directory_iterator(root))
            CHECK(e.path().filename().string().starts_with(".deskext"));  // lock files only
        CHECK_FALSE(std::filesystem::exists(root / "acme_tool"));
    }
}

}  // namespace

TEST_CASE("qa: a clean multi-arch image", "[integration][qa]") {
    Image image(metadata_with(standard_binaries), per_arch);
    fixtures::TempDir home;

    auto inspected = inspect_all(image, home);
    CHECK(mismatched_hosts(inspected).empty());
    for (const auto& host : all_hosts) {
        INFO(host);
        const auto& p = inspected.platform.at(host);
        const std::string arch = host.substr(host.find('/') + 1);
        const std::string os = host.substr(0, host.find('/'));
        CHECK(p["status"] == "ok");
        CHECK(p["image_platform"] == "linux/" + arch);
        CHECK(p["manifest_digest"].get<std::string>().starts_with("sha256:"));
        REQUIRE(p["files"].size() == 1);
        CHECK(p["files"][0]["found"] == host);
        CHECK(p["files"][0]["fit"] == "fits");
        CHECK(p["files"][0]["format"] == (os == "linux" ? "elf" : os == "darwin" ? "macho" : "pe"));
        CHECK(p["mismatches"].empty());
        CHECK(inspected.matrix.at(host)["manifest_digest"] == p["manifest_digest"]);
    }
    // Hosts of one arch share a variant.
    CHECK(inspected.matrix.at("darwin/arm64")["manifest_digest"] ==
          inspected.matrix.at("linux/arm64")["manifest_digest"]);
    CHECK(inspected.matrix.at("darwin/arm64")["manifest_digest"] !=
          inspected.matrix.at("darwin/amd64")["manifest_digest"]);
    CHECK(inspected.run.last()["mismatches"] == 0);

    auto validated = validate(image, home);
    INFO(validated.run.out);
    CHECK(validated.run.exit_code == 0);
    CHECK(validated.findings.empty());
    CHECK(validated.run.last()["errors"] == 0);

    for (const auto& host : all_hosts) {
        fixtures::TempDir install_home;
        auto run = install(image, install_home, host, true);
        INFO(host << run.err << run.out);
        CHECK(run.exit_code == 0);
        CHECK(run.of("warning").empty());
    }

    // Human mode: a table on stdout.
    auto table = run_deskext({"inspect", image.source, "--all-platforms"}, home.path());
    CHECK(table.exit_code == 0);
    CHECK(table.out.find("PLATFORM") != std::string::npos);
    CHECK(table.out.find("windows/arm64   linux/arm64") != std::string::npos);
}

TEST_CASE("qa: amd64 binaries hard-coded in the arm64 variant (vcluster)", "[integration][qa]") {
    Image image(metadata_with(standard_binaries),
                [](const std::string&) { return per_arch("amd64"); });
    fixtures::TempDir home;

    auto inspected = inspect_all(image, home);
    // macOS and Windows on arm64 run the amd64 variant's build under emulation; Linux on arm64
    // runs no amd64 program.
    CHECK(mismatched_hosts(inspected) == std::vector<std::string>{"linux/arm64"});
    const auto& linux = inspected.platform.at("linux/arm64");
    REQUIRE(linux["mismatches"].size() == 1);
    CHECK(linux["mismatches"][0]["file"] == "host/tool");
    CHECK(linux["mismatches"][0]["expected"] == "linux/arm64");
    CHECK(linux["mismatches"][0]["found"] == "linux/amd64");
    for (const std::string host : {"darwin/arm64", "windows/arm64"}) {
        INFO(host);
        const auto& p = inspected.platform.at(host);
        const std::string os = host.substr(0, host.find('/'));
        CHECK(p["status"] == "ok");
        CHECK(p["mismatches"].empty());
        REQUIRE(p["files"].size() == 1);
        CHECK(p["files"][0]["fit"] == "emulated");
        CHECK(p["files"][0]["found"] == os + "/amd64");
        CHECK(p["files"][0]["image_platform"] == "linux/amd64");
        CHECK(inspected.matrix.at(host)["emulated"] == 1);
    }
    const auto& darwin = inspected.platform.at("darwin/arm64");
    CHECK(darwin["files"][0]["image_path"] == "darwin/tool");
    CHECK(darwin["files"][0]["description"] == "Mach-O 64-bit x86_64");
    CHECK(inspected.run.last()["mismatches"] == 1);

    auto validated = validate(image, home);
    CHECK(validated.run.exit_code == 8);
    CHECK(validated.run.last()["code"] == "invalid_extension");
    auto mismatches = validated.with_code("binary_platform_mismatch");
    CHECK(platforms_of(mismatches) ==
          std::vector<std::string>{"darwin/arm64", "linux/arm64", "windows/arm64"});
    for (const auto& f : mismatches) CHECK(f["severity"] == "error");

    check_strict_refused(image, "darwin/arm64", "host/tool");
    check_strict_refused(image, "linux/arm64", "host/tool");

    // Without --strict: installed, with a warning that names the file and both platforms. On
    // linux/arm64 the binary does not run; on darwin/arm64 the amd64 variant's build is taken,
    // to run under emulation.
    fixtures::TempDir lenient;
    auto run = install(image, lenient, "linux/arm64", false);
    INFO(run.err << run.out);
    CHECK(run.exit_code == 0);
    auto warnings = run.of("warning");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0]["check"] == "binary_platform");
    CHECK(warnings[0]["file"] == "host/tool");
    CHECK(warnings[0]["expected"] == "linux/arm64");
    CHECK(warnings[0]["found"] == "linux/amd64");
    CHECK(warnings[0]["format"] == "elf");
    CHECK(std::filesystem::exists(lenient / "root" / "acme_tool" / "host" / "tool"));

    fixtures::TempDir mac;
    auto taken = install(image, mac, "darwin/arm64", false);
    INFO(taken.err << taken.out);
    CHECK(taken.exit_code == 0);
    auto emulated = taken.of("warning");
    REQUIRE(emulated.size() == 1);
    CHECK(emulated[0]["check"] == "binary_emulated");
    CHECK(emulated[0]["file"] == "host/tool");
    CHECK(emulated[0]["expected"] == "darwin/arm64");
    CHECK(emulated[0]["found"] == "darwin/amd64");
    CHECK(emulated[0]["format"] == "macho");
    CHECK(emulated[0]["image_platform"] == "linux/amd64");
    CHECK(slurp(mac / "root" / "acme_tool" / "host" / "tool") == program("darwin", "amd64"));
}

TEST_CASE("qa: a darwin binary that is always arm64, no linux entry (aluedeke)",
          "[integration][qa]") {
    Image image(metadata_with(R"({"darwin": [{"path": "/host/darwin/relay"}],
                                  "windows": [{"path": "/host/windows/relay.exe"}]})"),
                [](const std::string&) {
                    return std::vector<fixtures::TarEntry>{
                        fixtures::file("host/darwin/relay", program("darwin", "arm64"), 0755),
                        fixtures::file("host/windows/relay.exe", program("windows", "amd64"))};
                });
    fixtures::TempDir home;

    auto inspected = inspect_all(image, home);
    // Windows on Arm runs the amd64 variant's relay.exe under emulation.
    CHECK(mismatched_hosts(inspected) == std::vector<std::string>{"darwin/amd64"});
    CHECK(inspected.platform.at("windows/arm64")["files"][0]["fit"] == "emulated");
    const auto& intel = inspected.platform.at("darwin/amd64")["mismatches"][0];
    CHECK(intel["found"] == "darwin/arm64");
    CHECK(intel["expected"] == "darwin/amd64");
    CHECK(inspected.platform.at("linux/amd64")["files"].empty());
    CHECK(inspected.platform.at("linux/amd64")["status"] == "ok");

    auto validated = validate(image, home);
    CHECK(validated.run.exit_code == 8);
    CHECK(platforms_of(validated.with_code("binary_platform_mismatch")) ==
          std::vector<std::string>{"darwin/amd64", "windows/arm64"});
    auto missing_linux = validated.with_code("missing_os_binaries");
    REQUIRE(missing_linux.size() == 1);
    CHECK(missing_linux[0]["severity"] == "warning");

    check_strict_refused(image, "darwin/amd64", "host/relay");
}

TEST_CASE("qa: a Windows PE declared for linux (okteto)", "[integration][qa]") {
    Image image(metadata_with(R"({"darwin": [{"path": "/darwin/okteto"}],
                                  "windows": [{"path": "/windows/okteto.exe"}],
                                  "linux": [{"path": "/windows/okteto-extension"}]})"),
                [](const std::string& arch) {
                    return std::vector<fixtures::TarEntry>{
                        fixtures::file("darwin/okteto", program("darwin", arch), 0755),
                        fixtures::file("windows/okteto.exe", program("windows", arch)),
                        fixtures::file("windows/okteto-extension", program("windows", arch))};
                });
    fixtures::TempDir home;

    auto inspected = inspect_all(image, home);
    CHECK(mismatched_hosts(inspected) == std::vector<std::string>{"linux/amd64", "linux/arm64"});
    const auto& linux = inspected.platform.at("linux/amd64")["mismatches"][0];
    CHECK(linux["file"] == "host/okteto-extension");
    CHECK(linux["found"] == "windows/amd64");
    CHECK(linux["format"] == "pe");

    auto validated = validate(image, home);
    CHECK(validated.run.exit_code == 8);
    auto mismatches = validated.with_code("binary_platform_mismatch");
    CHECK(platforms_of(mismatches) == std::vector<std::string>{"linux/amd64", "linux/arm64"});
    CHECK(mismatches[0]["fix"].get<std::string>().find("linux build") != std::string::npos);
    CHECK(validated.with_code("binary_in_other_os_folder").size() == 1);

    check_strict_refused(image, "linux/amd64", "host/okteto-extension");
}

TEST_CASE("qa: an x86_64 Mach-O in the arm64 image", "[integration][qa]") {
    Image image(metadata_with(standard_binaries), [](const std::string& arch) {
        auto files = per_arch(arch);
        files[0] = fixtures::file("darwin/tool", program("darwin", "amd64"), 0755);
        return files;
    });
    fixtures::TempDir home;

    auto inspected = inspect_all(image, home);
    // A Mac with Apple silicon takes the amd64 variant's build, to run under emulation.
    CHECK(mismatched_hosts(inspected).empty());
    CHECK(inspected.platform.at("darwin/arm64")["files"][0]["fit"] == "emulated");
    CHECK(inspected.matrix.at("darwin/arm64")["emulated"] == 1);

    // The publisher is still told.
    auto validated = validate(image, home);
    CHECK(validated.run.exit_code == 8);
    CHECK(platforms_of(validated.with_code("binary_platform_mismatch")) ==
          std::vector<std::string>{"darwin/arm64"});

    check_strict_refused(image, "darwin/arm64", "host/tool");
    fixtures::TempDir ok;
    CHECK(install(image, ok, "darwin/amd64", true).exit_code == 0);
}

TEST_CASE("qa: universal binaries and scripts pass everywhere", "[integration][qa]") {
    Image image(metadata_with(R"({"darwin": [{"path": "/darwin/tool"}, {"path": "/darwin/run.sh"}],
                                  "windows": [{"path": "/windows/tool.exe"}, {"path": "/windows/run.cmd"}],
                                  "linux": [{"path": "/linux/tool"}]})"),
                [](const std::string& arch) {
                    auto files = per_arch(arch);
                    files[0] = fixtures::file("darwin/tool", fixtures::host_program_universal("u"));
                    files.push_back(fixtures::file("darwin/run.sh", "#!/bin/sh\nexit 0\n"));
                    files.push_back(fixtures::file("windows/run.cmd", "@echo off\r\n"));
                    return files;
                });
    fixtures::TempDir home;
    auto inspected = inspect_all(image, home);
    CHECK(mismatched_hosts(inspected).empty());
    CHECK(inspected.platform.at("darwin/amd64")["files"][0]["found"] == "darwin/amd64+arm64");
    CHECK(inspected.platform.at("darwin/amd64")["files"][1]["format"] == "script");
    auto validated = validate(image, home);
    CHECK(validated.run.exit_code == 0);
}

TEST_CASE("qa: validate reports missing variants, paths and labels", "[integration][qa]") {
    // The documented TARGETARCH pattern: no windows binary in the arm64 variant.
    auto labels = full_labels(">= 0.2.3");
    labels.erase("com.docker.extension.changelog");
    labels["com.docker.extension.screenshots"] = "";
    Image image(
        metadata_with(standard_binaries),
        [](const std::string& arch) {
            auto files = per_arch(arch);
            if (arch == "arm64") files.erase(files.begin() + 1);
            return files;
        },
        labels);
    fixtures::TempDir home;
    auto validated = validate(image, home);
    INFO(validated.run.out);
    CHECK(validated.run.exit_code == 8);
    auto missing = validated.with_code("missing_path");
    REQUIRE(missing.size() == 1);
    CHECK(missing[0]["platforms"] == nlohmann::json::array({"windows/arm64"}));
    CHECK(missing[0]["message"].get<std::string>().find("/windows/tool.exe") != std::string::npos);
    auto labels_missing = validated.with_code("missing_label");
    REQUIRE(labels_missing.size() == 2);
    // The same finding on both variants is reported once, listing them.
    CHECK(platforms_of({labels_missing[0]}) ==
          std::vector<std::string>{"linux/amd64", "linux/arm64"});

    // Windows on Arm takes the amd64 variant's build, to run under emulation.
    auto inspected = inspect_all(image, home);
    CHECK(inspected.matrix.at("windows/arm64")["status"] == "ok");
    CHECK(inspected.matrix.at("windows/arm64")["emulated"] == 1);

    // A single-arch image: the arm64 variant is missing.
    fixtures::TempDir single;
    fixtures::OciLayoutWriter writer(single / "layout");
    fixtures::ImageVariant v;
    v.labels = full_labels();
    v.layers.push_back({fixtures::file("metadata.json", metadata_with(standard_binaries)),
                        fixtures::file("tool.svg", tool_icon()), fixtures::dir("ui"),
                        fixtures::file("ui/index.html", tool_ui_index()),
                        fixtures::file("darwin/tool", program("darwin", "amd64")),
                        fixtures::file("windows/tool.exe", program("windows", "amd64")),
                        fixtures::file("linux/tool", program("linux", "amd64"))});
    writer.add_index({writer.add_variant(v)}, "1.0");
    auto one = run_deskext({"validate", "oci:" + (single / "layout").string() + ":1.0", "--json"},
                           home.path());
    CHECK(one.exit_code == 8);
    bool missing_arm64 = false;
    for (const auto& f : one.of("finding"))
        missing_arm64 = missing_arm64 || (f["code"] == "missing_platform" &&
                                          f["platforms"] == nlohmann::json::array({"linux/arm64"}));
    CHECK(missing_arm64);
    auto single_inspect = run_deskext({"inspect", "oci:" + (single / "layout").string() + ":1.0",
                                       "--platform", "darwin/arm64", "--json"},
                                      home.path());
    CHECK(single_inspect.exit_code == 0);
    REQUIRE(single_inspect.of("platform").size() == 1);
    CHECK(single_inspect.of("platform")[0]["status"] == "no_matching_platform");
}

TEST_CASE("qa: UI files a Windows or macOS host cannot hold are reported for those hosts",
          "[integration][qa]") {
    // `extra` UI entries beside every OS's binary; `refused` the hosts that cannot install them.
    const auto check = [](const std::vector<fixtures::TarEntry>& extra, const std::string& needle,
                          const std::vector<std::string>& refused) {
        Image image(metadata_with(standard_binaries), [&](const std::string& arch) {
            auto files = per_arch(arch);
            files.insert(files.end(), extra.begin(), extra.end());
            return files;
        });
        fixtures::TempDir home;
        auto inspected = inspect_all(image, home);
        std::vector<std::string> invalid;
        for (const auto& host : all_hosts) {
            INFO(host << ": " << inspected.matrix.at(host).dump());
            if (inspected.matrix.at(host)["status"] != "invalid_extension") continue;
            invalid.push_back(host);
            CHECK(inspected.platform.at(host)["error"]["message"].get<std::string>().find(needle) !=
                  std::string::npos);
        }
        CHECK(invalid == refused);

        auto validated = validate(image, home);
        INFO(validated.run.out);
        CHECK(validated.run.exit_code == 8);
        CHECK(platforms_of(validated.with_code("invalid_plan")) == refused);
    };
    SECTION("a reserved device name") {
        check({fixtures::file("ui/aux.js", "x")}, "/ui/aux.js", {"windows/amd64", "windows/arm64"});
    }
    SECTION("two names that differ only in case") {
        check({fixtures::file("ui/App.js", "a"), fixtures::file("ui/app.js", "b")},
              "differs only in case",
              {"darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"});
    }
}

TEST_CASE("qa: install checks the API version before reading layers", "[integration][qa]") {
    Image too_new(metadata_with(standard_binaries), per_arch, full_labels(">= 0.4.0, < 2.0"));
    fixtures::TempDir home;
    auto run = install(too_new, home, "linux/amd64", false);
    CHECK(run.exit_code == 9);
    CHECK(run.last()["code"] == "incompatible_api");
    auto message = run.last()["message"].get<std::string>();
    CHECK(message.find(">= 0.4.0, < 2.0") != std::string::npos);
    CHECK(message.find("0.3.4") != std::string::npos);
    CHECK(run.of("progress").empty());  // refused before any layer was read
    CHECK_FALSE(std::filesystem::exists(home / "root" / "acme_tool"));

    auto labels = full_labels();
    labels.erase("com.docker.desktop.extension.api.version");
    Image unlabelled(metadata_with(standard_binaries), per_arch, labels);
    fixtures::TempDir home2;
    auto lenient = install(unlabelled, home2, "linux/amd64", false);
    CHECK(lenient.exit_code == 0);
    auto warnings = lenient.of("warning");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0]["message"].get<std::string>().find(
              "com.docker.desktop.extension.api.version") != std::string::npos);
    auto validated = validate(unlabelled, home2);
    CHECK(validated.run.exit_code == 8);
    CHECK(validated.with_code("missing_label").size() == 1);
}
