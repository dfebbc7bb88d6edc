// Whether a detected binary runs natively on a host: the executable format of the host's OS, and
// the host's architecture (any slice of a universal Mach-O will do). Emulation (Rosetta, x64 on
// Windows on Arm) is deliberately not counted: an extension that ships amd64 binaries to arm64
// hosts is the defect QA looks for.

#include <algorithm>

#include "deskext/binfmt/binary_format.hpp"

namespace deskext::binfmt {

Fit fits(const BinaryFormat& format, const platform::Platform& host) {
    switch (format.kind) {
        case Kind::unknown:
            return Fit::unknown;
        case Kind::script:
            return Fit::fits;
        default:
            break;
    }
    if (format.os != host.os) return Fit::mismatch;
    const bool native = std::ranges::find(format.archs, host.arch) != format.archs.end();
    // ARM64EC code is arm64 code that can call into emulated x64: Windows on Arm runs it natively.
    const bool arm64ec = host.os == "windows" && host.arch == "arm64" &&
                         std::ranges::find(format.archs, "arm64ec") != format.archs.end();
    return native || arm64ec ? Fit::fits : Fit::mismatch;
}

std::string_view fit_name(Fit fit) {
    switch (fit) {
        case Fit::fits:
            return "fits";
        case Fit::mismatch:
            return "mismatch";
        case Fit::emulated:
            return "emulated";
        case Fit::unknown:
            break;
    }
    return "unknown";
}

}  // namespace deskext::binfmt
