// Hosts that run amd64 programs under emulation (windows/arm64, darwin/arm64) installing an
// extension built as the multi-arch guide shows it: binaries fetched per TARGETARCH, the Windows
// one only in the linux/amd64 variant. Such a host takes a binary its variant lacks, or carries
// for another platform, from the linux/amd64 variant; linux/arm64 never does.

#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include "extension_fixture.hpp"
#include "fixtures/host_programs.hpp"

using namespace deskext;
using namespace deskext::testing;

namespace {

// Changes the top layer of the arm64 variant of the test extension.
using Arm64Edit = std::function<void(std::vector<fixtures::TarEntry>& top)>;

void drop(std::vector<fixtures::TarEntry>& top, const std::string& name) {
    std::erase_if(top, [&](const fixtures::TarEntry& e) { return e.name == name; });
}

void replace(std::vector<fixtures::TarEntry>& top, const std::string& name, std::string data) {
    drop(top, name);
    top.push_back(fixtures::file(name, std::move(data), 0755));
}

// The test extension (tool_extension_variants: the Windows binary only in the amd64 variant)
// with `edit` applied to its arm64 variant, as an OCI layout; `amd64_edit` changes the amd64
// variant's top layer; `arm64_only` leaves the amd64 variant out.
struct Image {
    fixtures::TempDir dir{"deskext-emu-"};
    std::string source;

    explicit Image(const Arm64Edit& edit = {}, const Arm64Edit& amd64_edit = {},
                   bool arm64_only = false) {
        auto variants = tool_extension_variants();
        if (edit) edit(variants.at(1).layers.back());
        if (amd64_edit) amd64_edit(variants.at(0).layers.back());
        if (arm64_only) variants.erase(variants.begin());
        fixtures::write_multi_arch_image(dir / "layout", "1.0.0", variants);
        source = "oci:" + (dir / "layout").string() + ":1.0.0";
    }
};

Run install(const Image& image, const std::filesystem::path& home, const std::string& host,
            const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"install", image.source,    "--platform",
                                     host,      "--root",        (home / "root").string(),
                                     "--name",  "acme/tool-ext", "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_deskext(args, home);
}

std::vector<nlohmann::json> warnings_of(const Run& run, const std::string& check) {
    std::vector<nlohmann::json> found;
    for (const auto& w : run.of("warning"))
        if (w.value("check", "") == check) found.push_back(w);
    return found;
}

nlohmann::json state_of(const std::filesystem::path& home) {
    return nlohmann::json::parse(slurp(home / "root/acme_tool-ext/.deskext/state.json"));
}

const nlohmann::json& record_of(const nlohmann::json& state, const std::string& path) {
    for (const auto& file : state["files"])
        if (file["path"] == path) return file;
    throw std::runtime_error(path + " is not recorded");
}

// The manifest digest of the image's linux/amd64 variant, as an install of it records it.
std::string amd64_manifest(const Image& image) {
    fixtures::TempDir home;
    auto run = install(image, home.path(), "linux/amd64");
    REQUIRE(run.exit_code == 0);
    return run.last()["manifest_digest"];
}

// `host` got `file` from the amd64 variant: its bytes, one warning, the record, a clean verify.
void check_emulated(const Image& image, const std::string& host, const std::string& file,
                    const std::string& expected_bytes, const std::string& format, bool missing) {
    fixtures::TempDir home;
    auto run = install(image, home.path(), host);
    INFO(run.err << run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(run.last()["image_platform"] == "linux/arm64");
    const auto ext = home / "root/acme_tool-ext";
    CHECK(slurp(ext / file) == expected_bytes);
    CHECK(mode_of(ext / file) == 0755);

    const std::string os = host.substr(0, host.find('/'));
    auto warnings = warnings_of(run, "binary_emulated");
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0]["file"] == file);
    CHECK(warnings[0]["expected"] == host);
    CHECK(warnings[0]["found"] == os + "/amd64");
    CHECK(warnings[0]["format"] == format);
    CHECK(warnings[0]["image_platform"] == "linux/amd64");
    const auto message = warnings[0]["message"].get<std::string>();
    CHECK(message.find(file) != std::string::npos);
    CHECK(message.find("under emulation") != std::string::npos);
    CHECK(message.find(missing ? "lacks it" : "does not run on " + host) != std::string::npos);
    CHECK(warnings_of(run, "binary_platform").empty());

    const auto state = state_of(home.path());
    CHECK(state["image_platform"] == "linux/arm64");
    REQUIRE(state["emulated"].size() == 1);
    CHECK(state["emulated"][0]["binary"] == file);
    CHECK(state["emulated"][0]["image_platform"] == "linux/amd64");
    CHECK(state["emulated"][0]["manifest_digest"] == amd64_manifest(image));
    CHECK(state["emulated"][0]["runs_as"] == os + "/amd64");
    CHECK(record_of(state, file)["origin"]["layer"].get<std::string>().starts_with("sha256:"));

    auto verified = run_deskext(
        {"verify", "acme/tool-ext", "--root", (home / "root").string(), "--json"}, home.path());
    INFO(verified.out);
    CHECK(verified.exit_code == 0);
    CHECK(verified.last()["drift"].empty());

    // The same image again is a no-op; --force installs the same files again.
    auto again = install(image, home.path(), host);
    CHECK(again.exit_code == 0);
    CHECK(again.last()["unchanged"] == true);
    auto forced = install(image, home.path(), host, {"--force"});
    REQUIRE(forced.exit_code == 0);
    CHECK(slurp(ext / file) == expected_bytes);
    CHECK(state_of(home.path())["emulated"] == state["emulated"]);
}

// --strict takes nothing from another variant: exit 8 naming the file, nothing installed.
void check_strict_refused(const Image& image, const std::string& host, const std::string& needle) {
    fixtures::TempDir home;
    auto run = install(image, home.path(), host, {"--strict"});
    INFO(run.err << run.out);
    CHECK(run.exit_code == 8);
    CHECK(run.last()["code"] == "invalid_extension");
    const auto message = run.last()["message"].get<std::string>();
    CHECK(message.find("--strict") != std::string::npos);
    CHECK(message.find(needle) != std::string::npos);
    CHECK(run.of("installed").empty());
    CHECK(warnings_of(run, "binary_emulated").empty());
    CHECK_FALSE(std::filesystem::exists(home / "root/acme_tool-ext"));
}

}  // namespace

TEST_CASE("emulation: windows/arm64 takes the Windows binary the arm64 variant lacks",
          "[integration][install][emulation]") {
    Image image;  // the guide's example: no /windows/tool.exe in the arm64 variant
    check_emulated(image, "windows/arm64", "host/tool.exe", tool_bytes("windows", "amd64"), "pe",
                   true);
    check_strict_refused(image, "windows/arm64", "/windows/tool.exe");

    // darwin/arm64 has its own build in the arm64 variant: nothing is taken.
    fixtures::TempDir home;
    auto run = install(image, home.path(), "darwin/arm64", {"--strict"});
    INFO(run.err << run.out);
    REQUIRE(run.exit_code == 0);
    CHECK(slurp(home / "root/acme_tool-ext/host/tool") == tool_bytes("darwin", "arm64"));
    CHECK(warnings_of(run, "binary_emulated").empty());
    CHECK(state_of(home.path())["emulated"].empty());
}

TEST_CASE("emulation: darwin/arm64 takes the darwin binary the arm64 variant lacks",
          "[integration][install][emulation]") {
    Image image([](auto& top) { drop(top, "darwin/tool"); });
    check_emulated(image, "darwin/arm64", "host/tool", tool_bytes("darwin", "amd64"), "macho",
                   true);
    check_strict_refused(image, "darwin/arm64", "/darwin/tool");
}

TEST_CASE("emulation: an amd64 build in the arm64 variant is taken from the amd64 variant",
          "[integration][install][emulation]") {
    // The arm64 variant carries amd64 builds (a Dockerfile that ignores TARGETARCH), told apart
    // from the amd64 variant's own by their message.
    const auto stale = [](const std::string& os) {
        return fixtures::host_program(os, "amd64", "stale " + os + " build");
    };
    Image image([&](auto& top) {
        replace(top, "windows/tool.exe", stale("windows"));
        replace(top, "darwin/tool", stale("darwin"));
    });
    check_emulated(image, "windows/arm64", "host/tool.exe", tool_bytes("windows", "amd64"), "pe",
                   false);
    check_emulated(image, "darwin/arm64", "host/tool", tool_bytes("darwin", "amd64"), "macho",
                   false);
    // --strict refuses the build that does not run, as for any host.
    check_strict_refused(image, "darwin/arm64", "not built for darwin/arm64");
    check_strict_refused(image, "windows/arm64", "host/tool.exe");
}

TEST_CASE("emulation: without a linux/amd64 build to take, the install fails as before",
          "[integration][install][emulation]") {
    SECTION("the amd64 variant lacks it too") {
        Image image({}, [](auto& top) { drop(top, "windows/tool.exe"); });
        fixtures::TempDir home;
        auto run = install(image, home.path(), "windows/arm64");
        INFO(run.err << run.out);
        CHECK(run.exit_code == 8);
        CHECK(run.last()["code"] == "invalid_extension");
        const auto message = run.last()["message"].get<std::string>();
        CHECK(message.find("/windows/tool.exe") != std::string::npos);
        CHECK(message.find("missing from the linux/arm64 image") != std::string::npos);
        CHECK(message.find("the linux/amd64 image has no /windows/tool.exe either") !=
              std::string::npos);
        CHECK_FALSE(std::filesystem::exists(home / "root/acme_tool-ext"));
    }
    SECTION("the amd64 variant's build is not amd64") {
        Image image({}, [](auto& top) {
            replace(top, "windows/tool.exe", fixtures::host_program("windows", "arm64", "odd"));
        });
        fixtures::TempDir home;
        auto run = install(image, home.path(), "windows/arm64");
        CHECK(run.exit_code == 8);
        CHECK(run.last()["message"].get<std::string>().find("not windows/amd64") !=
              std::string::npos);
    }
    SECTION("the image has no amd64 variant") {
        Image image({}, {}, true);
        fixtures::TempDir home;
        auto run = install(image, home.path(), "windows/arm64");
        CHECK(run.exit_code == 8);
        CHECK(run.last()["message"].get<std::string>().find(
                  "the image has no linux/amd64 variant") != std::string::npos);
    }
    SECTION("an amd64 build in the arm64 variant, none in the amd64 one: kept, with a warning") {
        Image image([](auto& top) { replace(top, "darwin/tool", tool_bytes("darwin", "amd64")); },
                    [](auto& top) { drop(top, "darwin/tool"); });
        fixtures::TempDir home;
        auto run = install(image, home.path(), "darwin/arm64");
        INFO(run.err << run.out);
        REQUIRE(run.exit_code == 0);
        CHECK(warnings_of(run, "binary_emulated").empty());
        REQUIRE(warnings_of(run, "binary_platform").size() == 1);
        CHECK(slurp(home / "root/acme_tool-ext/host/tool") == tool_bytes("darwin", "amd64"));
    }
}

TEST_CASE("emulation: linux/arm64 runs no amd64 program and takes nothing from linux/amd64",
          "[integration][install][emulation]") {
    SECTION("a binary the arm64 variant lacks") {
        Image image([](auto& top) { drop(top, "linux/tool"); });
        fixtures::TempDir home;
        auto run = install(image, home.path(), "linux/arm64");
        INFO(run.err << run.out);
        CHECK(run.exit_code == 8);
        const auto message = run.last()["message"].get<std::string>();
        CHECK(message.find("/linux/tool is declared in metadata.json but missing from the "
                           "linux/arm64 image") != std::string::npos);
        CHECK(message.find("emulation") == std::string::npos);
    }
    SECTION("an amd64 build in the arm64 variant") {
        Image image([](auto& top) { replace(top, "linux/tool", tool_bytes("linux", "amd64")); });
        fixtures::TempDir home;
        auto run = install(image, home.path(), "linux/arm64");
        INFO(run.err << run.out);
        REQUIRE(run.exit_code == 0);
        CHECK(warnings_of(run, "binary_emulated").empty());
        auto mismatched = warnings_of(run, "binary_platform");
        REQUIRE(mismatched.size() == 1);
        CHECK(mismatched[0]["file"] == "host/tool");
        CHECK(mismatched[0]["expected"] == "linux/arm64");
        CHECK(mismatched[0]["found"] == "linux/amd64");
        CHECK(state_of(home.path())["emulated"].empty());
        fixtures::TempDir strict_home;
        auto strict = install(image, strict_home.path(), "linux/arm64", {"--strict"});
        CHECK(strict.exit_code == 8);
        CHECK(strict.last()["message"].get<std::string>().find("not built for linux/arm64") !=
              std::string::npos);
    }
}

TEST_CASE("emulation: inspect shows the binary a host takes to run under emulation",
          "[integration][qa][emulation]") {
    Image image;
    fixtures::TempDir home;
    auto run = run_deskext({"inspect", image.source, "--all-platforms", "--json"}, home.path());
    INFO(run.err << run.out);
    REQUIRE(run.exit_code == 0);
    std::map<std::string, nlohmann::json> platform;
    for (const auto& e : run.of("platform")) platform[e["platform"]] = e;
    std::map<std::string, nlohmann::json> matrix;
    for (const auto& row : run.last()["matrix"]) matrix[row["platform"]] = row;

    const auto& windows = platform.at("windows/arm64");
    CHECK(windows["status"] == "ok");
    CHECK(windows["image_platform"] == "linux/arm64");
    REQUIRE(windows["files"].size() == 1);
    CHECK(windows["files"][0]["file"] == "host/tool.exe");
    CHECK(windows["files"][0]["image_path"] == "windows/tool.exe");
    CHECK(windows["files"][0]["fit"] == "emulated");
    CHECK(windows["files"][0]["found"] == "windows/amd64");
    CHECK(windows["files"][0]["image_platform"] == "linux/amd64");
    CHECK(windows["mismatches"].empty());
    bool warned = false;
    for (const auto& w : windows["warnings"])
        warned = warned || w.get<std::string>().find("under emulation") != std::string::npos;
    CHECK(warned);
    CHECK(matrix.at("windows/arm64")["emulated"] == 1);
    CHECK(matrix.at("windows/arm64")["mismatches"] == 0);
    // Hosts with their own build are as before.
    for (const std::string host : {"darwin/arm64", "linux/arm64", "windows/amd64"}) {
        INFO(host);
        CHECK(platform.at(host)["status"] == "ok");
        CHECK(matrix.at(host)["emulated"] == 0);
        for (const auto& file : platform.at(host)["files"]) CHECK(file["fit"] == "fits");
    }

    auto table = run_deskext({"inspect", image.source, "--all-platforms"}, home.path());
    CHECK(table.exit_code == 0);
    CHECK(table.out.find("ok, 1 under emulation") != std::string::npos);
    CHECK(table.out.find("emulated: windows/amd64 from the linux/amd64 image") !=
          std::string::npos);

    // One host only, the amd64 variant read for it alone.
    auto one = run_deskext({"inspect", image.source, "--platform", "windows/arm64", "--json"},
                           home.path());
    REQUIRE(one.exit_code == 0);
    REQUIRE(one.of("platform").size() == 1);
    CHECK(one.of("platform")[0]["files"] == windows["files"]);

    // validate still tells the publisher the arm64 variant lacks it.
    auto validated = run_deskext({"validate", image.source, "--json"}, home.path());
    CHECK(validated.exit_code == 8);
    bool missing = false;
    for (const auto& f : validated.of("finding"))
        missing = missing ||
                  (f["code"] == "missing_path" &&
                   f["platforms"] == nlohmann::json::array({"windows/arm64"}) &&
                   f["message"].get<std::string>().find("/windows/tool.exe") != std::string::npos);
    CHECK(missing);
}

TEST_CASE("emulation: inspect reports what install would refuse", "[integration][qa][emulation]") {
    Image image({}, [](auto& top) { drop(top, "windows/tool.exe"); });
    fixtures::TempDir home;
    auto run = run_deskext({"inspect", image.source, "--platform", "windows/arm64", "--json"},
                           home.path());
    REQUIRE(run.exit_code == 0);
    const auto p = run.of("platform").at(0);
    CHECK(p["status"] == "invalid_extension");
    CHECK(p["error"]["message"].get<std::string>().find(
              "the linux/amd64 image has no /windows/tool.exe either") != std::string::npos);
}
