// Mach-O, thin and universal ("fat"). <mach-o/loader.h>: mach_header(_64) starts with a magic
// whose byte order tells the order of every other field, then cputype and cpusubtype.
// <mach-o/fat.h>: a fat header is always big-endian: FAT_MAGIC (fat_arch, 20 bytes per slice) or
// FAT_MAGIC_64 (fat_arch_64, 32 bytes), nfat_arch, then one entry per slice whose first field is
// its cputype. Java class files share 0xcafebabe; there the next word is the class version
// (minor << 16 | major, major >= 45), so a small nfat_arch tells a fat header apart, as file(1)
// and Apple's tools do.

#include <fmt/format.h>

#include "binfmt/formats.hpp"

namespace deskext::binfmt::detail {
namespace {

constexpr std::uint32_t mh_magic = 0xfeedface;
constexpr std::uint32_t mh_magic_64 = 0xfeedfacf;
constexpr std::uint32_t mh_cigam = 0xcefaedfe;
constexpr std::uint32_t mh_cigam_64 = 0xcffaedfe;
constexpr std::uint32_t fat_magic = 0xcafebabe;
constexpr std::uint32_t fat_magic_64 = 0xcafebabf;
constexpr std::uint64_t max_fat_slices = 20;  // Java class files have 45 or more here

constexpr std::uint64_t cpu_arch_abi64 = 0x01000000;
constexpr std::uint64_t cpu_arch_abi64_32 = 0x02000000;
constexpr std::uint64_t cpu_subtype_mask = 0x00ffffff;
constexpr std::uint64_t cpu_subtype_arm64e = 2;

struct Cpu {
    std::string arch;  // normalised, as OCI names it
    std::string name;  // as Apple's tools print it
};

Cpu cpu_of(std::uint64_t cputype, std::uint64_t cpusubtype) {
    switch (cputype) {
        case 7:
            return {"386", "i386"};
        case 7 | cpu_arch_abi64:
            return {"amd64", "x86_64"};
        case 12:
            return {"arm", "arm"};
        case 12 | cpu_arch_abi64:
            return {"arm64",
                    (cpusubtype & cpu_subtype_mask) == cpu_subtype_arm64e ? "arm64e" : "arm64"};
        case 12 | cpu_arch_abi64_32:
            return {"arm64_32", "arm64_32"};
        case 18:
            return {"ppc", "ppc"};
        case 18 | cpu_arch_abi64:
            return {"ppc64", "ppc64"};
        default:
            return {unnamed_machine(cputype), fmt::format("cputype {:#x}", cputype)};
    }
}

BinaryFormat unknown(std::string why) {
    BinaryFormat format;
    format.description = "unknown (" + std::move(why) + ")";
    return format;
}

std::optional<BinaryFormat> detect_fat(const ByteView& bytes, bool wide) {
    const auto count = bytes.be(4, 4);
    if (!count) return unknown("truncated Mach-O universal header");
    if (*count == 0 || *count > max_fat_slices) {
        if (!wide) return unknown("Java class file");
        return unknown(fmt::format("Mach-O universal header with {} slices", *count));
    }
    const std::size_t entry = wide ? 32 : 20;
    BinaryFormat format;
    format.kind = Kind::macho_universal;
    format.os = "darwin";
    std::string names;
    for (std::size_t i = 0; i < *count; ++i) {
        const std::size_t at = 8 + i * entry;
        const auto cputype = bytes.be(at, 4);
        const auto cpusubtype = bytes.be(at + 4, 4);
        if (!cputype || !cpusubtype) return unknown("truncated Mach-O universal slice table");
        const Cpu cpu = cpu_of(*cputype, *cpusubtype);
        format.archs.push_back(cpu.arch);
        names += (names.empty() ? "" : ", ") + cpu.name;
    }
    format.description = fmt::format("Mach-O universal{} ({})", wide ? " 64" : "", names);
    return format;
}

}  // namespace

std::optional<BinaryFormat> detect_macho(const ByteView& bytes) {
    const auto magic = bytes.be(0, 4);
    if (!magic) return std::nullopt;
    if (*magic == fat_magic || *magic == fat_magic_64)
        return detect_fat(bytes, *magic == fat_magic_64);

    bool big_endian = false;
    bool is64 = false;
    switch (*magic) {
        case mh_magic:
            big_endian = true;
            break;
        case mh_magic_64:
            big_endian = true;
            is64 = true;
            break;
        case mh_cigam:
            break;
        case mh_cigam_64:
            is64 = true;
            break;
        default:
            return std::nullopt;
    }
    const auto cputype = bytes.read(4, 4, big_endian);
    const auto cpusubtype = bytes.read(8, 4, big_endian);
    if (!cputype || !cpusubtype) return unknown("truncated Mach-O header");
    const Cpu cpu = cpu_of(*cputype, *cpusubtype);
    BinaryFormat format;
    format.kind = Kind::macho;
    format.os = "darwin";
    format.archs = {cpu.arch};
    format.description = fmt::format("Mach-O {}-bit {}", is64 ? 64 : 32, cpu.name);
    return format;
}

}  // namespace deskext::binfmt::detail
