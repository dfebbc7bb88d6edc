#pragma once
// The header check of the host binaries an install writes: each staged file under host/ is read
// (its first binfmt::header_bytes only) and compared with the platform it is installed for.
// A Windows .exe declared for Linux, or an x86_64 Mach-O in the arm64 image, is a "warning"
// event naming the file, the expected and the found platform; with `strict`, the install fails
// before anything is swapped in.

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "deskext/binfmt/binary_format.hpp"
#include "deskext/events/event_sink.hpp"
#include "deskext/install/install_plan.hpp"
#include "deskext/platform/platform.hpp"

namespace deskext {

// The fields of the warning event for one mismatched binary (docs/events.md): "message",
// "check": "binary_platform", "file", "expected", "found", "format".
[[nodiscard]] nlohmann::json binary_mismatch_fields(std::string_view file,
                                                    const binfmt::BinaryFormat& format,
                                                    const platform::Platform& expected);

// The platform the host binaries must be built for: the host's own, except where the host runs
// amd64 programs under emulation (macOS on Apple silicon through Rosetta 2, Windows on Arm) and
// the amd64 variant was installed (--allow-emulation). Linux on arm64 runs no amd64 program.
[[nodiscard]] platform::Platform binaries_platform(const platform::Platform& host,
                                                   const platform::Platform& image_platform);

// A staged file under host/ and the format its header shows.
struct StagedBinary {
    std::string dest;  // "host/<name>..."
    binfmt::BinaryFormat format;
};

// Every file of `plan` under host/, in plan order, with the format of its staged copy in
// `stage` (its first binfmt::header_bytes only). Filesystem errors when one cannot be read.
[[nodiscard]] Result<std::vector<StagedBinary>> staged_formats(const std::filesystem::path& stage,
                                                               const InstallPlan& plan);

// `expected` comes from binaries_platform. Files whose format is not recognised (data, .py, .dll
// of an unknown kind) are not judged. ErrorCode::invalid_extension with `strict` when any file
// mismatches, naming each.
[[nodiscard]] Result<void> check_staged_binaries(const std::vector<StagedBinary>& staged,
                                                 const platform::Platform& expected, bool strict,
                                                 EventSink& events);

}  // namespace deskext
