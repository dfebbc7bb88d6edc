// ELF: the e_ident bytes give the class (32/64-bit) and byte order; e_machine the architecture.
// https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.eheader.html
// Machine numbers: https://www.sco.com/developers/gabi/latest/ch4.eheader.html#elfid

#include <fmt/format.h>

#include "binfmt/formats.hpp"

namespace deskext::binfmt::detail {
namespace {

constexpr std::size_t ei_class = 4;
constexpr std::size_t ei_data = 5;
constexpr std::size_t e_machine = 18;

struct Machine {
    std::string arch;  // normalised, as OCI names it
    std::string name;  // as people know the ISA
};

Machine machine_of(std::uint64_t machine, bool is64, bool big_endian) {
    switch (machine) {
        case 3:
            return {"386", "Intel 80386"};
        case 62:
            return {"amd64", "x86-64"};
        case 183:
            return {"arm64", "AArch64"};
        case 40:
            return {"arm", "ARM"};
        case 8:
            return {std::string(is64 ? "mips64" : "mips") + (big_endian ? "" : "le"), "MIPS"};
        case 20:
            return {"ppc", "PowerPC"};
        case 21:
            return {big_endian ? "ppc64" : "ppc64le", "PowerPC64"};
        case 22:
            return {is64 ? "s390x" : "s390", "IBM S/390"};
        case 243:
            return {is64 ? "riscv64" : "riscv32", "RISC-V"};
        case 258:
            return {"loong64", "LoongArch"};
        case 2:
            return {"sparc", "SPARC"};
        case 43:
            return {"sparc64", "SPARC V9"};
        case 50:
            return {"ia64", "IA-64"};
        default:
            return {unnamed_machine(machine), fmt::format("machine {}", machine)};
    }
}

}  // namespace

std::optional<BinaryFormat> detect_elf(const ByteView& bytes) {
    if (bytes.be(0, 4) != 0x7f454c46u) return std::nullopt;  // "\x7fELF"
    const auto cls = bytes.u8(ei_class);
    const auto data = bytes.u8(ei_data);
    if (!cls || !data || (*cls != 1 && *cls != 2) || (*data != 1 && *data != 2)) {
        BinaryFormat unknown;
        unknown.description = "unknown (ELF magic with an invalid class or byte order)";
        return unknown;
    }
    const bool is64 = *cls == 2;
    const bool big_endian = *data == 2;
    const auto machine = bytes.read(e_machine, 2, big_endian);
    if (!machine) {
        BinaryFormat unknown;
        unknown.description = "unknown (truncated ELF header)";
        return unknown;
    }
    const Machine m = machine_of(*machine, is64, big_endian);
    BinaryFormat format;
    format.kind = Kind::elf;
    format.os = "linux";
    format.archs = {m.arch};
    format.description =
        fmt::format("ELF {}-bit {} {}", is64 ? 64 : 32, big_endian ? "MSB" : "LSB", m.name);
    return format;
}

std::string unnamed_machine(std::uint64_t machine) {
    return fmt::format("machine-0x{:x}", machine);
}

}  // namespace deskext::binfmt::detail
