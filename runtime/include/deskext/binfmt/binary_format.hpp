#pragma once
// What kind of program a file is, read from its first bytes only: ELF, Mach-O (thin or
// universal), PE/COFF, a script, or unknown. Used to catch host binaries that cannot run on the
// host they are installed for ("Bad CPU type in executable", a Windows .exe declared for Linux).
// Specs: ELF https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html
//        Mach-O <mach-o/loader.h>, <mach-o/fat.h>
//        PE     https://learn.microsoft.com/en-us/windows/win32/debug/pe-format

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/platform/platform.hpp"

namespace deskext::binfmt {

// How many leading bytes detection needs: every header it reads (the ELF header, the Mach-O
// header, a fat header with its slice table, the DOS header and the PE signature at e_lfanew)
// lies within them for any sane file.
inline constexpr std::size_t header_bytes = 4096;

enum class Kind {
    unknown,          // data, a library of another kind, a truncated header, ...
    elf,              // Linux (and other Unix) executables
    macho,            // thin Mach-O
    macho_universal,  // fat Mach-O: one slice per architecture
    pe,               // Windows executables and DLLs
    script,           // "#!" shebang, or .cmd / .bat / .ps1 by name
};

struct BinaryFormat {
    Kind kind = Kind::unknown;
    // The OS family the format belongs to: "linux" (ELF), "darwin" (Mach-O), "windows" (PE);
    // empty for scripts and unknown files.
    std::string os;
    // Normalised architectures ("amd64", "arm64", "386", "arm", "arm64ec", "ppc64le", ...): one
    // for a thin binary, every slice for a universal one; empty for scripts and unknown files.
    // A machine with no common name is "machine-0x<hex>".
    std::vector<std::string> archs;
    // For people: "ELF 64-bit LSB x86-64", "Mach-O universal (x86_64, arm64)",
    // "PE32+ AMD64", "script (#!/bin/sh)", "unknown (Java class file)".
    std::string description;
};

// Detects the format from the first bytes of a file (up to header_bytes of them; fewer when the
// file is shorter). `file_name` decides only for scripts known by their extension (.cmd, .bat,
// .ps1, case-insensitive). Never fails: what it cannot recognise is Kind::unknown.
[[nodiscard]] BinaryFormat detect_format(std::span<const std::byte> head,
                                         std::string_view file_name = {});
[[nodiscard]] BinaryFormat detect_format(std::string_view head, std::string_view file_name = {});

// Stable machine-readable name of a kind: "unknown", "elf", "macho", "macho-universal", "pe",
// "script".
[[nodiscard]] std::string_view kind_name(Kind kind);

// The platform a binary is built for, as people read it: "linux/amd64", "darwin/arm64",
// "darwin/amd64+arm64" (universal), "windows/arm64ec"; "script" or "unknown" otherwise.
[[nodiscard]] std::string found_platform(const BinaryFormat& format);

enum class Fit {
    fits,      // runs natively on the host (a universal binary holding its arch; any script)
    mismatch,  // an executable format of another OS, or of another architecture
    unknown,   // not a recognised executable: nothing can be said
    emulated,  // built for emulated_platform(host): runs, under the host's emulation. fits()
               // never says so; the installer decides when such a build is taken.
};

// Whether `format` runs on `host`: PE on windows, ELF on linux, Mach-O on darwin, with the host's
// architecture (an ARM64EC image fits windows/arm64). Universal Mach-O fits when one slice has
// the host's arch. Scripts always fit; unknown files are Fit::unknown.
[[nodiscard]] Fit fits(const BinaryFormat& format, const platform::Platform& host);

[[nodiscard]] std::string_view fit_name(Fit fit);  // "fits", "mismatch", "unknown", "emulated"

// The platform whose programs `host` runs under emulation: darwin/amd64 on darwin/arm64
// (Rosetta 2), windows/amd64 on windows/arm64 (Windows 11 on Arm runs x64 programs); nullopt
// for every other host (Linux on arm64 runs no amd64 program). The one place that knows it.
[[nodiscard]] std::optional<platform::Platform> emulated_platform(const platform::Platform& host);

}  // namespace deskext::binfmt
