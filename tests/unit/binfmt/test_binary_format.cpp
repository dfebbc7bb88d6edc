// Binary format detection from headers: the stub programs of the fixtures (true to their
// platform) and hand-made headers for the cases they do not cover.

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "deskext/binfmt/binary_format.hpp"
#include "fixtures/host_programs.hpp"

using namespace deskext;
using namespace deskext::binfmt;

namespace {

platform::Platform host(std::string_view os, std::string_view arch) {
    return platform::make_platform(os, arch);
}

void put_le(std::string& s, std::size_t at, std::uint64_t v, std::size_t width) {
    if (s.size() < at + width) s.resize(at + width, '\0');
    for (std::size_t i = 0; i < width; ++i) s[at + i] = static_cast<char>(v >> (8 * i));
}

void put_be(std::string& s, std::size_t at, std::uint64_t v, std::size_t width) {
    if (s.size() < at + width) s.resize(at + width, '\0');
    for (std::size_t i = 0; i < width; ++i)
        s[at + i] = static_cast<char>(v >> (8 * (width - 1 - i)));
}

std::string elf_header(int cls, int data, std::uint16_t machine) {
    std::string s =
        "\x7f"
        "ELF";
    s.resize(64, '\0');
    s[4] = static_cast<char>(cls);
    s[5] = static_cast<char>(data);
    if (data == 2)
        put_be(s, 18, machine, 2);
    else
        put_le(s, 18, machine, 2);
    return s;
}

std::string pe_header(std::uint16_t machine, std::uint16_t optional_magic = 0x20b,
                      std::uint32_t lfanew = 0x80) {
    std::string s = "MZ";
    put_le(s, 0x3c, lfanew, 4);
    s.resize(lfanew, '\0');
    s += std::string("PE\0\0", 4);
    put_le(s, lfanew + 4, machine, 2);
    put_le(s, lfanew + 24, optional_magic, 2);
    return s;
}

// A fat header with the given cputypes, FAT_MAGIC (20-byte entries) or FAT_MAGIC_64 (32).
std::string fat_header(std::initializer_list<std::uint32_t> cputypes, bool wide = false) {
    std::string s;
    put_be(s, 0, wide ? 0xcafebabf : 0xcafebabe, 4);
    put_be(s, 4, cputypes.size(), 4);
    std::size_t at = 8;
    for (auto cputype : cputypes) {
        put_be(s, at, cputype, 4);
        put_be(s, at + 4, 0, 4);
        at += wide ? 32 : 20;
    }
    s.resize(at, '\0');
    return s;
}

}  // namespace

TEST_CASE("binfmt: the fixture programs are recognised", "[binfmt]") {
    for (std::string arch : {"amd64", "arm64"}) {
        auto elf = detect_format(fixtures::host_program("linux", arch, "x"));
        CHECK(elf.kind == Kind::elf);
        CHECK(elf.os == "linux");
        CHECK(elf.archs == std::vector<std::string>{arch});
        CHECK(found_platform(elf) == "linux/" + arch);

        auto macho = detect_format(fixtures::host_program("darwin", arch, "x"));
        CHECK(macho.kind == Kind::macho);
        CHECK(macho.archs == std::vector<std::string>{arch});
        CHECK(found_platform(macho) == "darwin/" + arch);

        auto pe = detect_format(fixtures::host_program("windows", arch, "x"));
        CHECK(pe.kind == Kind::pe);
        CHECK(pe.archs == std::vector<std::string>{arch});
        CHECK(found_platform(pe) == "windows/" + arch);
    }
    CHECK(detect_format(fixtures::host_program("linux", "amd64", "x")).description ==
          "ELF 64-bit LSB x86-64");
    CHECK(detect_format(fixtures::host_program("darwin", "arm64", "x")).description ==
          "Mach-O 64-bit arm64");
    CHECK(detect_format(fixtures::host_program("windows", "amd64", "x")).description ==
          "PE32+ AMD64");

    auto universal = detect_format(fixtures::host_program_universal("x"));
    CHECK(universal.kind == Kind::macho_universal);
    CHECK(universal.archs == std::vector<std::string>{"amd64", "arm64"});
    CHECK(universal.description == "Mach-O universal (x86_64, arm64)");
    CHECK(found_platform(universal) == "darwin/amd64+arm64");
}

TEST_CASE("binfmt: only the first 4 KiB are needed", "[binfmt]") {
    // A real program is megabytes long; only its first 4 KiB are ever read.
    auto program = fixtures::host_program("windows", "arm64", "x") + std::string(1 << 20, '\x90');
    auto format = detect_format(std::string_view(program).substr(0, header_bytes));
    CHECK(format.kind == Kind::pe);
    CHECK(format.archs == std::vector<std::string>{"arm64"});
}

TEST_CASE("binfmt: ELF classes, byte orders and machines", "[binfmt]") {
    CHECK(detect_format(elf_header(1, 1, 3)).archs == std::vector<std::string>{"386"});
    CHECK(detect_format(elf_header(1, 1, 3)).description == "ELF 32-bit LSB Intel 80386");
    CHECK(detect_format(elf_header(1, 1, 40)).archs == std::vector<std::string>{"arm"});
    CHECK(detect_format(elf_header(2, 2, 21)).archs == std::vector<std::string>{"ppc64"});
    CHECK(detect_format(elf_header(2, 1, 21)).archs == std::vector<std::string>{"ppc64le"});
    CHECK(detect_format(elf_header(2, 2, 22)).archs == std::vector<std::string>{"s390x"});
    CHECK(detect_format(elf_header(2, 1, 243)).archs == std::vector<std::string>{"riscv64"});
    CHECK(detect_format(elf_header(2, 2, 8)).archs == std::vector<std::string>{"mips64"});
    CHECK(detect_format(elf_header(2, 2, 8)).description == "ELF 64-bit MSB MIPS");
    CHECK(detect_format(elf_header(2, 1, 0x1234)).archs ==
          std::vector<std::string>{"machine-0x1234"});
    // Invalid class or a header cut before e_machine: recognised as nothing.
    CHECK(detect_format(elf_header(3, 1, 62)).kind == Kind::unknown);
    CHECK(detect_format(elf_header(2, 1, 62).substr(0, 18)).kind == Kind::unknown);
}

TEST_CASE("binfmt: thin Mach-O in both byte orders and sizes", "[binfmt]") {
    auto thin = [](std::uint32_t magic, std::uint32_t cputype, bool big, std::uint32_t sub = 0) {
        std::string s;
        put_be(s, 0, magic, 4);
        (big ? put_be : put_le)(s, 4, cputype, 4);
        (big ? put_be : put_le)(s, 8, sub, 4);
        s.resize(32, '\0');
        return s;
    };
    auto le64 = detect_format(thin(0xcffaedfe, 0x01000007, false));
    CHECK(le64.kind == Kind::macho);
    CHECK(le64.archs == std::vector<std::string>{"amd64"});
    CHECK(le64.description == "Mach-O 64-bit x86_64");
    auto le32 = detect_format(thin(0xcefaedfe, 7, false));
    CHECK(le32.archs == std::vector<std::string>{"386"});
    CHECK(le32.description == "Mach-O 32-bit i386");
    auto be32 = detect_format(thin(0xfeedface, 18, true));
    CHECK(be32.archs == std::vector<std::string>{"ppc"});
    auto be64 = detect_format(thin(0xfeedfacf, 0x01000012, true));
    CHECK(be64.archs == std::vector<std::string>{"ppc64"});
    auto arm64e = detect_format(thin(0xcffaedfe, 0x0100000c, false, 0x80000002));
    CHECK(arm64e.archs == std::vector<std::string>{"arm64"});
    CHECK(arm64e.description == "Mach-O 64-bit arm64e");
    CHECK(detect_format(thin(0xcffaedfe, 0x0100000c, false).substr(0, 6)).kind == Kind::unknown);
}

TEST_CASE("binfmt: universal Mach-O lists every slice, Java class files are not one", "[binfmt]") {
    auto fat = detect_format(fat_header({0x01000007, 0x0100000c, 7}));
    CHECK(fat.kind == Kind::macho_universal);
    CHECK(fat.archs == std::vector<std::string>{"amd64", "arm64", "386"});

    auto fat64 = detect_format(fat_header({0x0100000c, 0x01000007}, true));
    CHECK(fat64.kind == Kind::macho_universal);
    CHECK(fat64.archs == std::vector<std::string>{"arm64", "amd64"});
    CHECK(fat64.description == "Mach-O universal 64 (arm64, x86_64)");

    // 0xcafebabe, minor version 0, major version 52 (Java 8).
    std::string java;
    put_be(java, 0, 0xcafebabe, 4);
    put_be(java, 4, 0, 2);
    put_be(java, 6, 52, 2);
    java.resize(64, '\0');
    auto klass = detect_format(java);
    CHECK(klass.kind == Kind::unknown);
    CHECK(klass.description == "unknown (Java class file)");

    // A slice table cut short is not trusted.
    auto cut = fat_header({0x01000007, 0x0100000c});
    CHECK(detect_format(cut.substr(0, 30)).kind == Kind::unknown);
}

TEST_CASE("binfmt: PE machines and malformed headers", "[binfmt]") {
    CHECK(detect_format(pe_header(0x8664)).archs == std::vector<std::string>{"amd64"});
    CHECK(detect_format(pe_header(0xaa64)).archs == std::vector<std::string>{"arm64"});
    CHECK(detect_format(pe_header(0x14c, 0x10b)).archs == std::vector<std::string>{"386"});
    CHECK(detect_format(pe_header(0x14c, 0x10b)).description == "PE32 I386");
    CHECK(detect_format(pe_header(0xa641)).archs == std::vector<std::string>{"arm64ec"});
    CHECK(detect_format(pe_header(0xa641)).description == "PE32+ ARM64EC");
    // e_lfanew beyond the bytes read, or no PE signature there: a DOS program at best.
    CHECK(detect_format(pe_header(0x8664, 0x20b, 0x2000).substr(0, 0x100)).kind == Kind::unknown);
    std::string dos = "MZ";
    put_le(dos, 0x3c, 0x40, 4);
    dos.resize(0x80, '\0');
    CHECK(detect_format(dos).kind == Kind::unknown);
    CHECK(detect_format(std::string("MZ")).kind == Kind::unknown);
}

TEST_CASE("binfmt: scripts by shebang or by name", "[binfmt]") {
    auto sh = detect_format(std::string("#!/bin/sh\necho hi\n"), "tool");
    CHECK(sh.kind == Kind::script);
    CHECK(sh.description == "script (#!/bin/sh)");
    CHECK(found_platform(sh) == "script");
    CHECK(detect_format(std::string("@echo off\r\n"), "host-tailscale.cmd").kind == Kind::script);
    CHECK(detect_format(std::string("echo x"), "RUN.BAT").kind == Kind::script);
    CHECK(detect_format(std::string("Write-Host x"), "dir/startup-helper.ps1").kind ==
          Kind::script);
    // A real program stays a program whatever its name.
    CHECK(detect_format(fixtures::host_program("windows", "amd64", "x"), "x.cmd").kind == Kind::pe);
    auto data = detect_format(std::string("just some text"), "readme.txt");
    CHECK(data.kind == Kind::unknown);
    CHECK(found_platform(data) == "unknown");
    CHECK(detect_format(std::string(), "empty").description == "unknown (empty file)");
}

TEST_CASE("binfmt: fits the host OS and architecture", "[binfmt]") {
    auto program = [](std::string_view os, std::string_view arch) {
        return detect_format(fixtures::host_program(os, arch, "x"));
    };
    for (std::string os : {"linux", "darwin", "windows"}) {
        for (std::string arch : {"amd64", "arm64"}) {
            for (std::string host_os : {"linux", "darwin", "windows"}) {
                for (std::string host_arch : {"amd64", "arm64"}) {
                    const bool same = os == host_os && arch == host_arch;
                    CHECK(fits(program(os, arch), host(host_os, host_arch)) ==
                          (same ? Fit::fits : Fit::mismatch));
                }
            }
        }
    }
    auto universal = detect_format(fixtures::host_program_universal("x"));
    CHECK(fits(universal, host("darwin", "arm64")) == Fit::fits);
    CHECK(fits(universal, host("darwin", "amd64")) == Fit::fits);
    CHECK(fits(universal, host("linux", "amd64")) == Fit::mismatch);
    auto arm_only_fat = detect_format(fat_header({0x0100000c}));
    CHECK(fits(arm_only_fat, host("darwin", "amd64")) == Fit::mismatch);

    auto arm64ec = detect_format(pe_header(0xa641));
    CHECK(fits(arm64ec, host("windows", "arm64")) == Fit::fits);
    CHECK(fits(arm64ec, host("windows", "amd64")) == Fit::mismatch);

    auto script = detect_format(std::string("#!/bin/sh\n"));
    for (std::string os : {"linux", "darwin", "windows"})
        CHECK(fits(script, host(os, "arm64")) == Fit::fits);
    CHECK(fits(detect_format(std::string("data")), host("linux", "amd64")) == Fit::unknown);
    CHECK(fit_name(Fit::mismatch) == "mismatch");
    CHECK(kind_name(Kind::macho_universal) == "macho-universal");
}

TEST_CASE("binfmt: which hosts run amd64 programs under emulation", "[binfmt]") {
    CHECK(emulated_platform(host("windows", "arm64")) == host("windows", "amd64"));
    CHECK(emulated_platform(host("darwin", "arm64")) == host("darwin", "amd64"));
    CHECK(emulated_platform(host("macos", "aarch64")) == host("darwin", "amd64"));
    // Linux on arm64 runs no amd64 program; amd64 hosts need no emulation.
    CHECK_FALSE(emulated_platform(host("linux", "arm64")));
    for (std::string os : {"linux", "darwin", "windows"})
        CHECK_FALSE(emulated_platform(host(os, "amd64")));
    CHECK(fit_name(Fit::emulated) == "emulated");
}
