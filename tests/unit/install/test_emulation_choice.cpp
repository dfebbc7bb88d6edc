// The decision of which variant a host binary comes from on hosts that run amd64 programs under
// emulation, from the formats of the files alone.

#include "install/emulation_choice.hpp"

#include <catch2/catch.hpp>

#include "fixtures/host_programs.hpp"

using namespace deskext;

namespace {

platform::Platform host(std::string_view os, std::string_view arch) {
    return platform::make_platform(os, arch);
}

binfmt::BinaryFormat program(std::string_view os, std::string_view arch) {
    return binfmt::detect_format(fixtures::host_program(os, arch, "x"));
}

const binfmt::BinaryFormat data = binfmt::detect_format(std::string("data"));
const binfmt::BinaryFormat script = binfmt::detect_format(std::string("#!/bin/sh\n"));

}  // namespace

TEST_CASE("emulation choice: only a host of its own variant takes builds from another",
          "[install]") {
    const auto arm64 = host("linux", "arm64");
    const auto amd64 = host("linux", "amd64");
    CHECK(emulation_for(host("windows", "arm64"), arm64) == host("windows", "amd64"));
    CHECK(emulation_for(host("darwin", "arm64"), arm64) == host("darwin", "amd64"));
    // Linux on arm64 cannot run them; amd64 hosts need none.
    CHECK_FALSE(emulation_for(host("linux", "arm64"), arm64));
    CHECK_FALSE(emulation_for(host("windows", "amd64"), amd64));
    // The amd64 variant installed as a whole (--allow-emulation): its binaries are amd64 already.
    CHECK_FALSE(emulation_for(host("darwin", "arm64"), amd64));
}

TEST_CASE("emulation choice: a binary the host's variant lacks or carries for another platform",
          "[install]") {
    const auto windows_arm64 = host("windows", "arm64");
    CHECK(wants_emulated_build(true, {}, windows_arm64));
    CHECK(wants_emulated_build(false, {program("windows", "amd64")}, windows_arm64));
    CHECK(wants_emulated_build(false, {program("linux", "arm64")}, windows_arm64));
    // A directory with one file built for another platform.
    CHECK(wants_emulated_build(
        false, {data, program("windows", "arm64"), program("windows", "amd64")}, windows_arm64));
    CHECK_FALSE(wants_emulated_build(false, {program("windows", "arm64")}, windows_arm64));
    CHECK_FALSE(wants_emulated_build(false, {data, script}, windows_arm64));
    CHECK_FALSE(wants_emulated_build(false, {}, windows_arm64));  // an empty directory
    auto universal = binfmt::detect_format(fixtures::host_program_universal("u"));
    CHECK_FALSE(wants_emulated_build(false, {universal}, host("darwin", "arm64")));
}

TEST_CASE("emulation choice: the other variant's build must run under emulation", "[install]") {
    const auto emulated = host("windows", "amd64");
    CHECK(runs_emulated(false, {program("windows", "amd64")}, emulated));
    CHECK(runs_emulated(false, {program("windows", "amd64"), data, script}, emulated));
    CHECK_FALSE(runs_emulated(true, {}, emulated));
    CHECK_FALSE(runs_emulated(false, {program("windows", "arm64")}, emulated));
    CHECK_FALSE(runs_emulated(false, {program("darwin", "amd64")}, emulated));
    CHECK_FALSE(
        runs_emulated(false, {program("windows", "amd64"), program("linux", "amd64")}, emulated));
}

TEST_CASE("emulation choice: the files of a declared binary", "[install]") {
    CHECK(belongs_to("host/tool.exe", "host/tool.exe"));
    CHECK(belongs_to("host/lib/x.dll", "host/lib"));
    CHECK(belongs_to("host/lib/sub/y.dll", "host/lib"));
    CHECK_FALSE(belongs_to("host/library.dll", "host/lib"));
    CHECK_FALSE(belongs_to("host/lib", "host/lib/x.dll"));
    CHECK_FALSE(belongs_to("host/tool", "host/tool.exe"));
}

TEST_CASE("emulation choice: what the messages say", "[install]") {
    const auto emulated = host("windows", "amd64");
    CHECK(why_not_emulated("windows/tool.exe", "linux/amd64", false, true, {}, emulated) ==
          "the image has no linux/amd64 variant");
    CHECK(why_not_emulated("windows/tool.exe", "linux/amd64", true, true, {}, emulated) ==
          "the linux/amd64 image has no /windows/tool.exe either");
    CHECK(why_not_emulated("windows/tool.exe", "linux/amd64", true, false,
                           {program("windows", "arm64")}, emulated) ==
          "/windows/tool.exe there is PE32+ ARM64 (windows/arm64), not windows/amd64");
    const auto error = no_emulated_build("windows/tool.exe", "linux/arm64",
                                         host("windows", "arm64"), "linux/amd64", "why");
    CHECK(error.code == ErrorCode::invalid_extension);
    CHECK(error.message ==
          "host binary /windows/tool.exe is declared in metadata.json but missing from the "
          "linux/arm64 image, and no build of it from the linux/amd64 image could run under "
          "emulation on windows/arm64: why");

    const auto fields =
        emulated_binary_fields("host/tool.exe", program("windows", "amd64"),
                               host("windows", "arm64"), "linux/arm64", "linux/amd64", true);
    CHECK(fields["check"] == "binary_emulated");
    CHECK(fields["file"] == "host/tool.exe");
    CHECK(fields["expected"] == "windows/arm64");
    CHECK(fields["found"] == "windows/amd64");
    CHECK(fields["format"] == "pe");
    CHECK(fields["image_platform"] == "linux/amd64");
    CHECK(fields["message"].get<std::string>().find("the linux/arm64 image lacks it") !=
          std::string::npos);
}
