#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "fixtures/scoped_env.hpp"
#include "fixtures/temp_dir.hpp"
#include "registry/registries_conf.hpp"

using deskext::ErrorCode;
using deskext::fixtures::ScopedEnv;
using deskext::fixtures::TempDir;
using deskext::registry::load_mirror_config;
namespace fs = std::filesystem;

namespace {

void write_text(const fs::path& path, const std::string& text) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

std::string prefixes_of(const deskext::registry::MirrorConfig& config) {
    std::string out;
    for (const auto& rule : config.conf.rules)
        out += rule.prefix + (rule.blocked ? "(blocked) " : " ");
    return out;
}

}  // namespace

// [posix]: XDG_CONFIG_HOME and DOCKER_CONFIG name the user's files here; the system's files are
// the machine's, which a user file keeps out.
TEST_CASE("mirror config: the user's registries.conf and its drop-ins, then daemon.json",
          "[registry][posix]") {
    TempDir home;
    ScopedEnv set_home("HOME", home.path().string());
    ScopedEnv xdg("XDG_CONFIG_HOME", (home / "config").string());
    ScopedEnv docker("DOCKER_CONFIG", (home / "docker").string());
    ScopedEnv no_file("DESKEXT_REGISTRIES_CONF", std::nullopt);
    const auto dir = home / "config" / "containers";
    write_text(dir / "registries.conf",
               "[[registry]]\nlocation = \"a.io\"\n[[registry]]\nlocation = \"b.io\"\n");
    // Drop-ins in name order: 10 replaces b.io, 20 adds c.io; what is not *.conf is not read.
    write_text(dir / "registries.conf.d" / "20-c.conf", "[[registry]]\nlocation = \"c.io\"\n");
    write_text(dir / "registries.conf.d" / "10-b.conf",
               "[[registry]]\nlocation = \"b.io\"\nblocked = true\n");
    write_text(dir / "registries.conf.d" / "notes.txt", "not TOML at all [");
    write_text(home / "docker" / "daemon.json",
               R"({"registry-mirrors": ["https://hub-cache.lan"]})");

    auto config = load_mirror_config({});
    REQUIRE(config);
    CHECK(prefixes_of(*config) == "a.io b.io(blocked) c.io ");
    REQUIRE(config->docker_hub_mirrors.size() == 1);
    CHECK(config->docker_hub_mirrors[0].location == "hub-cache.lan");
    CHECK(config->daemon_json == (home / "docker" / "daemon.json").string());

    // A file named by --registries-conf, or else DESKEXT_REGISTRIES_CONF, is the only one read.
    write_text(home / "only.conf", "[[registry]]\nlocation = \"only.io\"\n");
    write_text(home / "env.conf", "[[registry]]\nlocation = \"env.io\"\n");
    {
        ScopedEnv from_env("DESKEXT_REGISTRIES_CONF", (home / "env.conf").string());
        CHECK(prefixes_of(*load_mirror_config({})) == "env.io ");
        CHECK(prefixes_of(*load_mirror_config(home / "only.conf")) == "only.io ");
    }
    auto missing = load_mirror_config(home / "missing.conf");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::usage);

    // A drop-in's mistake is named with its own file and line.
    write_text(dir / "registries.conf.d" / "30-bad.conf", "[[registry]]\nlocaton = \"d.io\"\n");
    auto bad = load_mirror_config({});
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message,
               Catch::StartsWith((dir / "registries.conf.d" / "30-bad.conf").string() + ":2:"));
}
