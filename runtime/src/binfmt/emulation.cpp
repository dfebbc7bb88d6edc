// Which hosts run programs of another architecture, as data: adding a host that emulates (or
// one that stops doing so) is a row here, and every caller (the installer's choice of host
// binaries, inspect) follows.

#include <array>
#include <string_view>

#include "deskext/binfmt/binary_format.hpp"

namespace deskext::binfmt {
namespace {

struct Emulation {
    std::string_view os;
    std::string_view host_arch;
    std::string_view runs_arch;  // the architecture whose programs it runs under emulation
};

constexpr std::array emulations{
    Emulation{"darwin", "arm64", "amd64"},   // Rosetta 2
    Emulation{"windows", "arm64", "amd64"},  // x64 emulation of Windows 11 on Arm
};

}  // namespace

std::optional<platform::Platform> emulated_platform(const platform::Platform& host) {
    for (const auto& row : emulations)
        if (host.os == row.os && host.arch == row.host_arch)
            return platform::make_platform(row.os, row.runs_arch);
    return std::nullopt;
}

}  // namespace deskext::binfmt
