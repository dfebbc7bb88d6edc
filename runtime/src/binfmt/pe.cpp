// PE/COFF: a DOS header ("MZ") whose e_lfanew (offset 0x3c) points at "PE\0\0", then the COFF
// file header (Machine first) and the optional header (magic 0x10b PE32, 0x20b PE32+).
// https://learn.microsoft.com/en-us/windows/win32/debug/pe-format#machine-types

#include <fmt/format.h>

#include "binfmt/formats.hpp"

namespace deskext::binfmt::detail {
namespace {

constexpr std::size_t e_lfanew_at = 0x3c;
constexpr std::uint64_t pe_signature = 0x50450000;  // "PE\0\0" read big-endian

struct Machine {
    std::string arch;
    std::string name;
};

Machine machine_of(std::uint64_t machine) {
    switch (machine) {
        case 0x14c:
            return {"386", "I386"};
        case 0x8664:
            return {"amd64", "AMD64"};
        case 0xaa64:
            return {"arm64", "ARM64"};
        case 0xa641:
            return {"arm64ec", "ARM64EC"};
        case 0x1c4:
            return {"arm", "ARMNT"};
        case 0x200:
            return {"ia64", "IA64"};
        default:
            return {unnamed_machine(machine), fmt::format("machine {:#x}", machine)};
    }
}

BinaryFormat unknown(std::string why) {
    BinaryFormat format;
    format.description = "unknown (" + std::move(why) + ")";
    return format;
}

}  // namespace

std::optional<BinaryFormat> detect_pe(const ByteView& bytes) {
    if (bytes.be(0, 2) != 0x4d5au) return std::nullopt;  // "MZ"
    const auto lfanew = bytes.le(e_lfanew_at, 4);
    if (!lfanew) return unknown("truncated DOS header");
    if (bytes.be(*lfanew, 4) != pe_signature)
        return unknown("MZ executable without a PE header within the first bytes read");
    const auto machine = bytes.le(*lfanew + 4, 2);
    if (!machine) return unknown("truncated PE header");
    const Machine m = machine_of(*machine);
    // The optional header follows the 20-byte COFF header; its magic says PE32 or PE32+.
    const auto optional_magic = bytes.le(*lfanew + 24, 2);
    const char* flavour = optional_magic == 0x20bu ? "PE32+" : "PE32";
    BinaryFormat format;
    format.kind = Kind::pe;
    format.os = "windows";
    format.archs = {m.arch};
    format.description = fmt::format("{} {}", flavour, m.name);
    return format;
}

}  // namespace deskext::binfmt::detail
