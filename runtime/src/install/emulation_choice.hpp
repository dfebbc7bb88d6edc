#pragma once
// Which variant each host binary of an install comes from, where the host runs amd64 programs
// under emulation (binfmt::emulated_platform: windows/arm64, darwin/arm64). The documented way
// to build a multi-arch extension (a Dockerfile that fetches binaries per TARGETARCH) leaves the
// arm64 variant without a Windows binary; other images carry an amd64 build in the arm64
// variant. Such a host takes that binary from the amd64 variant instead, to run under
// emulation. The installer and inspect decide it here, from the formats of the files alone.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "deskext/binfmt/binary_format.hpp"
#include "deskext/error.hpp"
#include "deskext/platform/platform.hpp"

namespace deskext {

// The platform whose builds `host` may take from another variant: emulated_platform(host) when
// the variant chosen is of the host's own arch; nullopt for every other host, and for a variant
// chosen to run under emulation as a whole (--allow-emulation), whose binaries are all amd64.
[[nodiscard]] std::optional<platform::Platform> emulation_for(
    const platform::Platform& host, const platform::Platform& image_platform);

// Whether `dest` ("host/<name>/...") is one of the files of the declared binary `binary`
// ("host/<name>"): the binary itself, or inside it when it is a directory.
[[nodiscard]] bool belongs_to(std::string_view dest, std::string_view binary);

// Whether the host's variant leaves a declared binary to another variant: it lacks it
// (`missing`), or one of its files is an executable that does not run on `host`.
[[nodiscard]] bool wants_emulated_build(bool missing,
                                        const std::vector<binfmt::BinaryFormat>& formats,
                                        const platform::Platform& host);

// Whether another variant's build of a declared binary runs under emulation: the variant holds
// it, and none of its files is an executable that does not run on `emulated`.
[[nodiscard]] bool runs_emulated(bool missing, const std::vector<binfmt::BinaryFormat>& formats,
                                 const platform::Platform& emulated);

// Why the variant `other_variant` has no build of the declared binary `image_path` that runs
// under emulation on `emulated`: the image has no such variant (`has_variant` false), the
// variant lacks it (`missing`), or one of its files (`formats`) is built for another platform.
[[nodiscard]] std::string why_not_emulated(std::string_view image_path,
                                           std::string_view other_variant, bool has_variant,
                                           bool missing,
                                           const std::vector<binfmt::BinaryFormat>& formats,
                                           const platform::Platform& emulated);

// ErrorCode::invalid_extension: the host's variant lacks the declared binary `image_path`, and
// the variant `other_variant` had no build to run under emulation (`why`).
[[nodiscard]] Error no_emulated_build(std::string_view image_path, std::string_view image_variant,
                                      const platform::Platform& host,
                                      std::string_view other_variant, std::string_view why);

// The fields of the warning event for a file taken from `other_variant` to run under emulation
// (docs/events.md): "message", "check": "binary_emulated", "file", "expected" (the host),
// "found", "format", "image_platform" (the variant it came from). `missing`: the host's variant
// lacks the binary, rather than carrying a build that does not run.
[[nodiscard]] nlohmann::json emulated_binary_fields(std::string_view file,
                                                    const binfmt::BinaryFormat& format,
                                                    const platform::Platform& host,
                                                    std::string_view image_variant,
                                                    std::string_view other_variant, bool missing);

}  // namespace deskext
