#include <catch2/catch.hpp>

#include <string>

#include "deskext/platform/platform.hpp"

using deskext::ErrorCode;
using deskext::platform::detect_host;
using deskext::platform::make_platform;
using deskext::platform::normalize_os;
using deskext::platform::normalize_variant;
using deskext::platform::parse_platform;
using deskext::platform::Platform;
using deskext::platform::to_string;

TEST_CASE("platform: operating-system aliases normalise", "[platform]") {
    const auto [alias, expected] = GENERATE(table<std::string, std::string>({
        {"linux", "linux"},
        {"Linux", "linux"},
        {"darwin", "darwin"},
        {"Darwin", "darwin"},
        {"macos", "darwin"},
        {"macOS", "darwin"},
        {"osx", "darwin"},
        {"mac", "darwin"},
        {"windows", "windows"},
        {"Windows", "windows"},
        {"win", "windows"},
        {"win32", "windows"},
        {"freebsd", "freebsd"},
    }));
    CAPTURE(alias);
    CHECK(normalize_os(alias) == expected);
}

TEST_CASE("platform: architecture aliases normalise", "[platform]") {
    const auto [alias, arch, variant] = GENERATE(table<std::string, std::string, std::string>({
        {"amd64", "amd64", ""},
        {"x86_64", "amd64", ""},
        {"x86-64", "amd64", ""},
        {"X86_64", "amd64", ""},
        {"x64", "amd64", ""},
        {"arm64", "arm64", ""},
        {"aarch64", "arm64", ""},
        {"ARM64", "arm64", ""},
        {"i386", "386", ""},
        {"i686", "386", ""},
        {"x86", "386", ""},
        {"386", "386", ""},
        {"armv7l", "arm", "v7"},
        {"armhf", "arm", "v7"},
        {"armv6l", "arm", "v6"},
        {"armel", "arm", "v6"},
        {"riscv64", "riscv64", ""},
        {"s390x", "s390x", ""},
    }));
    CAPTURE(alias);
    const Platform p = make_platform("linux", alias);
    CHECK(p.arch == arch);
    CHECK(p.variant == variant);
}

TEST_CASE("platform: variants normalise for their architecture", "[platform]") {
    CHECK(normalize_variant("arm64", "v8").empty());
    CHECK(normalize_variant("arm64", "V8").empty());
    CHECK(normalize_variant("arm64", "8").empty());
    CHECK(normalize_variant("arm64", "").empty());
    CHECK(normalize_variant("arm", "v7") == "v7");
    CHECK(normalize_variant("arm", "V7") == "v7");
    CHECK(normalize_variant("arm", "7") == "v7");
    CHECK(normalize_variant("amd64", "v1").empty());
    CHECK(normalize_variant("amd64", "v3") == "v3");
    // An explicit variant wins over the one an alias implies.
    CHECK(make_platform("linux", "armhf", "v6") == Platform{"linux", "arm", "v6"});
    // arm64 ≡ arm64/v8, whatever the spelling.
    CHECK(make_platform("Linux", "aarch64", "v8") == make_platform("linux", "arm64"));
}

TEST_CASE("platform: parse_platform accepts os/arch and os/arch/variant", "[platform]") {
    const auto [text, os, arch, variant] =
        GENERATE(table<std::string, std::string, std::string, std::string>({
            {"linux/amd64", "linux", "amd64", ""},
            {"darwin/arm64", "darwin", "arm64", ""},
            {"darwin/arm64/v8", "darwin", "arm64", ""},
            {"Darwin/ARM64/V8", "darwin", "arm64", ""},
            {"macos/aarch64", "darwin", "arm64", ""},
            {"windows/x86_64", "windows", "amd64", ""},
            {"win32/amd64", "windows", "amd64", ""},
            {"linux/arm/v7", "linux", "arm", "v7"},
            {"linux/armv7l", "linux", "arm", "v7"},
            {"linux/amd64/v3", "linux", "amd64", "v3"},
            {"linux/ppc64le", "linux", "ppc64le", ""},
        }));
    CAPTURE(text);
    const auto parsed = parse_platform(text);
    REQUIRE(parsed);
    CHECK(parsed->os == os);
    CHECK(parsed->arch == arch);
    CHECK(parsed->variant == variant);
}

TEST_CASE("platform: parse_platform refuses malformed text with a usage error", "[platform]") {
    const std::string text =
        GENERATE(as<std::string>{}, "", "linux", "/", "linux/", "/amd64", "linux//amd64",
                 "linux/amd64/", "linux/amd64/v8/extra", "linux/am d64", "linux/amd64\n",
                 "lin:ux/amd64", "linux\\amd64", "linux/amd64/v8/");
    CAPTURE(text);
    const auto parsed = parse_platform(text);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().code == ErrorCode::usage);
    CHECK_THAT(parsed.error().message, Catch::Contains("invalid platform \"" + text + "\"") &&
                                           Catch::Contains("expected OS/ARCH[/VARIANT]") &&
                                           Catch::Contains("darwin/arm64"));
}

TEST_CASE("platform: the usage message shows the expected form", "[platform]") {
    const auto parsed = parse_platform("linux");
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().message ==
          "invalid platform \"linux\": expected OS/ARCH[/VARIANT], like darwin/arm64");
}

TEST_CASE("platform: to_string and parse_platform round-trip", "[platform]") {
    const std::string text =
        GENERATE(as<std::string>{}, "linux/amd64", "linux/arm64", "darwin/arm64", "darwin/amd64",
                 "windows/amd64", "windows/arm64", "linux/arm/v7", "linux/arm/v6", "linux/386",
                 "linux/amd64/v2");
    CAPTURE(text);
    const auto parsed = parse_platform(text);
    REQUIRE(parsed);
    CHECK(to_string(*parsed) == text);
    CHECK(parse_platform(to_string(*parsed)).value() == *parsed);
}

TEST_CASE("platform: to_string writes the normalised form", "[platform]") {
    CHECK(to_string(make_platform("Darwin", "aarch64", "v8")) == "darwin/arm64");
    CHECK(to_string(make_platform("linux", "armv7l")) == "linux/arm/v7");
    CHECK(to_string(Platform{"linux", "amd64", ""}) == "linux/amd64");
}

TEST_CASE("platform: detect_host reports this normalised host", "[platform]") {
    const Platform host = detect_host();
#ifdef _WIN32
    CHECK(host.os == "windows");
#else
    CHECK(host.os == "linux");
#endif
    CHECK((host.arch == "amd64" || host.arch == "arm64"));
    CHECK(host.variant.empty());
    CHECK(parse_platform(to_string(host)).value() == host);
}
