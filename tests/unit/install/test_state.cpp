#include <catch2/catch.hpp>

#include <string>

#include "deskext/install/state.hpp"

using deskext::InstalledFile;
using deskext::InstallState;

TEST_CASE("state: files keep their origin through a round trip", "[install][state]") {
    InstallState state;
    state.name = "acme-tool";
    state.manifest_digest = "sha256:" + std::string(64, 'a');
    state.platform = "linux/amd64";
    InstalledFile ui;
    ui.path = "ui/index.html";
    ui.sha256 = std::string(64, 'b');
    ui.size = 12;
    ui.origin_layer = "sha256:" + std::string(64, 'c');
    ui.origin_entry = 7;
    InstalledFile metadata;
    metadata.path = "metadata.json";
    metadata.sha256 = std::string(64, 'd');
    state.files = {metadata, ui};

    auto parsed = deskext::parse_state(deskext::to_json_text(state));
    REQUIRE(parsed);
    REQUIRE(parsed->files.size() == 2);
    CHECK(parsed->files[0].origin_layer.empty());
    CHECK(parsed->files[1].origin_layer == ui.origin_layer);
    CHECK(parsed->files[1].origin_entry == 7);
    CHECK(deskext::to_json_text(*parsed) == deskext::to_json_text(state));
}

TEST_CASE("state: a record written before origins were kept still loads", "[install][state]") {
    const std::string old = R"({
  "schema": 1, "name": "acme-tool", "manifest_digest": "sha256:00", "platform": "linux/amd64",
  "files": [ { "path": "ui/index.html", "sha256": "ab", "mode": 420, "size": 3 } ]
})";
    auto parsed = deskext::parse_state(old);
    REQUIRE(parsed);
    REQUIRE(parsed->files.size() == 1);
    CHECK(parsed->files[0].path == "ui/index.html");
    CHECK(parsed->files[0].origin_layer.empty());
    CHECK(deskext::to_json_text(*parsed).find("origin") == std::string::npos);
    CHECK(parsed->emulated.empty());  // nor which binaries were taken from another variant
}

TEST_CASE("state: binaries taken from another variant keep where they came from",
          "[install][state]") {
    InstallState state;
    state.name = "acme-tool";
    state.manifest_digest = "sha256:" + std::string(64, 'a');
    state.platform = "windows/arm64";
    state.image_platform = "linux/arm64";
    state.binaries = {"host/tool.exe"};
    state.emulated = {
        {"host/tool.exe", "linux/amd64", "sha256:" + std::string(64, 'e'), "windows/amd64"}};
    auto parsed = deskext::parse_state(deskext::to_json_text(state));
    REQUIRE(parsed);
    REQUIRE(parsed->emulated.size() == 1);
    CHECK(parsed->emulated[0].binary == "host/tool.exe");
    CHECK(parsed->emulated[0].image_platform == "linux/amd64");
    CHECK(parsed->emulated[0].manifest_digest == state.emulated[0].manifest_digest);
    CHECK(parsed->emulated[0].runs_as == "windows/amd64");
    CHECK(deskext::to_json_text(*parsed) == deskext::to_json_text(state));
}
