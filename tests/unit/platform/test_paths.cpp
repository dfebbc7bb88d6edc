#include <catch2/catch.hpp>

#include <stdlib.h>

#include <optional>
#include <string>

#include "deskext/platform/paths.hpp"
#include "fixtures/temp_dir.hpp"

using deskext::ErrorCode;
using deskext::fixtures::TempDir;
using deskext::platform::default_cache_dir;
using deskext::platform::default_extensions_root;
using deskext::platform::extensions_root;

namespace {

// Sets (or unsets, with nullopt) an environment variable for one scope and restores it after,
// so no test leaks HOME or DESKEXT_ROOT into the next.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::optional<std::string>& value) : m_name(name) {
        if (const char* old = ::getenv(name)) m_old = std::string(old);
        if (value) {
            ::setenv(name, value->c_str(), 1);
        } else {
            ::unsetenv(name);
        }
    }
    ~ScopedEnv() {
        if (m_old) {
            ::setenv(m_name, m_old->c_str(), 1);
        } else {
            ::unsetenv(m_name);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* m_name;
    std::optional<std::string> m_old;
};

}  // namespace

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

TEST_CASE("platform: extensions_root defaults under HOME", "[platform]") {
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

TEST_CASE("platform: a missing HOME is a usage error naming the way out", "[platform]") {
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

TEST_CASE("platform: the cache follows XDG_CACHE_HOME, else ~/.cache", "[platform]") {
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
