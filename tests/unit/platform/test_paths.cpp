#include <catch2/catch.hpp>

#include <stdlib.h>

#include <optional>
#include <string>

#include "deskext/platform/paths.hpp"
#include "fixtures/scoped_env.hpp"
#include "fixtures/temp_dir.hpp"

using deskext::ErrorCode;
using deskext::fixtures::TempDir;
using deskext::platform::default_cache_dir;
using deskext::platform::default_extensions_root;
using deskext::platform::extensions_root;

using deskext::fixtures::ScopedEnv;

TEST_CASE("platform: extensions_root prefers the --root override", "[platform]") {
    TempDir home;
    ScopedEnv set_home("HOME", home.path().string());
    ScopedEnv set_root("DESKEXT_ROOT", (home / "from-env").string());
    const auto root = extensions_root(home / "from-flag");
    REQUIRE(root);
    CHECK(*root == home / "from-flag");
}

TEST_CASE("platform: extensions_root falls back to DESKEXT_ROOT", "[platform]") {
    TempDir home;
    ScopedEnv set_home("HOME", home.path().string());
    ScopedEnv set_root("DESKEXT_ROOT", (home / "from-env").string());
    const auto root = extensions_root({});
    REQUIRE(root);
    CHECK(*root == home / "from-env");
}

// [posix]: HOME and XDG_CACHE_HOME; Windows takes USERPROFILE, APPDATA and LOCALAPPDATA.
TEST_CASE("platform: extensions_root defaults under HOME", "[platform][posix]") {
    TempDir home;
    ScopedEnv set_home("HOME", home.path().string());
    SECTION("DESKEXT_ROOT unset") {
        ScopedEnv unset_root("DESKEXT_ROOT", std::nullopt);
        const auto root = extensions_root({});
        REQUIRE(root);
        CHECK(*root == home.path() / ".docker" / "desktop" / "extensions");
    }
    SECTION("DESKEXT_ROOT empty counts as unset") {
        ScopedEnv empty_root("DESKEXT_ROOT", std::string());
        const auto root = extensions_root({});
        REQUIRE(root);
        CHECK(*root == home.path() / ".docker" / "desktop" / "extensions");
    }
    const auto default_root = default_extensions_root();
    REQUIRE(default_root);
    CHECK(*default_root == home.path() / ".docker" / "desktop" / "extensions");
}

// [posix]: HOME and XDG_CACHE_HOME; Windows takes USERPROFILE, APPDATA and LOCALAPPDATA.
TEST_CASE("platform: a missing HOME is a usage error naming the way out", "[platform][posix]") {
    ScopedEnv unset_root("DESKEXT_ROOT", std::nullopt);
    ScopedEnv unset_xdg("XDG_CACHE_HOME", std::nullopt);
    const std::optional<std::string> home =
        GENERATE(as<std::optional<std::string>>{}, std::nullopt, std::string());
    ScopedEnv set_home("HOME", home);

    const auto root = extensions_root({});
    REQUIRE_FALSE(root);
    CHECK(root.error().code == ErrorCode::usage);
    CHECK_THAT(root.error().message, Catch::Contains("HOME") && Catch::Contains("--root") &&
                                         Catch::Contains("DESKEXT_ROOT"));
    CHECK_FALSE(default_extensions_root());
    const auto cache = default_cache_dir();
    REQUIRE_FALSE(cache);
    CHECK(cache.error().code == ErrorCode::usage);

    // The overrides still work without a home directory.
    TempDir dir;
    CHECK(extensions_root(dir.path()).value() == dir.path());
}

// [posix]: HOME and XDG_CACHE_HOME; Windows takes USERPROFILE, APPDATA and LOCALAPPDATA.
TEST_CASE("platform: the cache follows XDG_CACHE_HOME, else ~/.cache", "[platform][posix]") {
    TempDir home;
    ScopedEnv set_home("HOME", home.path().string());
    SECTION("XDG_CACHE_HOME set") {
        ScopedEnv set_xdg("XDG_CACHE_HOME", (home / "xdg").string());
        CHECK(default_cache_dir().value() == home / "xdg" / "deskext");
    }
    SECTION("XDG_CACHE_HOME unset") {
        ScopedEnv unset_xdg("XDG_CACHE_HOME", std::nullopt);
        CHECK(default_cache_dir().value() == home.path() / ".cache" / "deskext");
    }
    SECTION("a relative XDG_CACHE_HOME is ignored, as the base-directory spec says") {
        ScopedEnv relative_xdg("XDG_CACHE_HOME", std::string("relative/cache"));
        CHECK(default_cache_dir().value() == home.path() / ".cache" / "deskext");
    }
}

// [posix]: HOME and XDG_CACHE_HOME; Windows takes USERPROFILE, APPDATA and LOCALAPPDATA.
TEST_CASE("platform: cache, docker config and certs.d directories with their overrides",
          "[platform][posix]") {
    TempDir home;
    ScopedEnv set_home("HOME", home.path().string());
    ScopedEnv no_xdg("XDG_CACHE_HOME", std::nullopt);
    {
        ScopedEnv no_cache("DESKEXT_CACHE_DIR", std::nullopt);
        ScopedEnv no_config("DOCKER_CONFIG", std::nullopt);
        ScopedEnv no_certs("DESKEXT_CERTS_D", std::nullopt);
        CHECK(*deskext::platform::cache_dir("") == *default_cache_dir());
        CHECK(*deskext::platform::cache_dir(home / "flag") == home / "flag");
        CHECK(*deskext::platform::docker_config_dir() == home / ".docker");
        const auto dirs = deskext::platform::docker_certs_dirs();
        REQUIRE(dirs.size() == 2);
        CHECK(dirs[0] == home / ".docker" / "certs.d");
        CHECK(dirs[1] == "/etc/docker/certs.d");
    }
    ScopedEnv cache("DESKEXT_CACHE_DIR", (home / "cache").string());
    ScopedEnv config("DOCKER_CONFIG", (home / "cfg").string());
    ScopedEnv certs("DESKEXT_CERTS_D", (home / "certs").string());
    CHECK(*deskext::platform::cache_dir("") == home / "cache");
    CHECK(*deskext::platform::docker_config_dir() == home / "cfg");
    CHECK(deskext::platform::docker_certs_dirs().back() == home / "certs");
    CHECK(deskext::platform::env_value("DESKEXT_CERTS_D") == (home / "certs").string());
}

// [posix]: HOME and XDG_CONFIG_HOME; Windows takes APPDATA and ProgramData.
TEST_CASE("platform: registries.conf and daemon.json locations", "[platform][posix]") {
    TempDir home;
    ScopedEnv set_home("HOME", home.path().string());
    ScopedEnv no_config("DOCKER_CONFIG", std::nullopt);
    {
        ScopedEnv no_xdg("XDG_CONFIG_HOME", std::nullopt);
        const auto locations = deskext::platform::registries_conf_locations();
        CHECK(locations.system == "/etc/containers/registries.conf");
        CHECK(locations.user == home / ".config" / "containers" / "registries.conf");
        const auto daemon = deskext::platform::docker_daemon_json_files();
        REQUIRE_FALSE(daemon.empty());
        CHECK(daemon[0] == home / ".docker" / "daemon.json");
#ifdef __linux__
        // Docker Engine's; macOS has Docker Desktop's only.
        REQUIRE(daemon.size() == 2);
        CHECK(daemon[1] == "/etc/docker/daemon.json");
#endif
    }
    {
        ScopedEnv xdg("XDG_CONFIG_HOME", (home / "xdg").string());
        ScopedEnv config("DOCKER_CONFIG", (home / "cfg").string());
        CHECK(deskext::platform::registries_conf_locations().user ==
              home / "xdg" / "containers" / "registries.conf");
        CHECK(deskext::platform::docker_daemon_json_files().at(0) == home / "cfg" / "daemon.json");
    }
    {  // a relative XDG_CONFIG_HOME is ignored, as the base directory spec says
        ScopedEnv xdg("XDG_CONFIG_HOME", std::string("relative"));
        CHECK(deskext::platform::registries_conf_locations().user ==
              home / ".config" / "containers" / "registries.conf");
    }
}
