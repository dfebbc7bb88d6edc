#pragma once
// Platform names: "os/arch[/variant]" as OCI and Docker write them, normalised so that
// equal platforms compare equal (x86_64 → amd64, aarch64 → arm64, arm64/v8 ≡ arm64, macos →
// darwin).

#include <string>
#include <string_view>

#include "deskext/error.hpp"

namespace deskext::platform {

struct Platform {
    std::string os;       // normalised: "linux", "darwin", "windows", or as given when unknown
    std::string arch;     // normalised: "amd64", "arm64", "arm", "386", ...
    std::string variant;  // normalised: empty for arm64/v8 and amd64; "v7" for arm/v7 ...

    friend bool operator==(const Platform&, const Platform&) = default;
};

// Normalises an operating-system name ("macos", "Darwin", "osx" → "darwin"; "win32" → "windows").
[[nodiscard]] std::string normalize_os(std::string_view os);
// Normalises a variant for an already-normalised arch ("v8" for arm64 → "").
[[nodiscard]] std::string normalize_variant(std::string_view arch, std::string_view variant);

// Builds a normalised Platform from its three parts.
[[nodiscard]] Platform make_platform(std::string_view os, std::string_view arch,
                                     std::string_view variant = {});

// Parses "os/arch[/variant]"; exit category usage when malformed.
[[nodiscard]] Result<Platform> parse_platform(std::string_view text);

// "os/arch" or "os/arch/variant".
[[nodiscard]] std::string to_string(const Platform& platform);

// The host this process runs on (uname on POSIX; GetNativeSystemInfo on Windows).
[[nodiscard]] Platform detect_host();

}  // namespace deskext::platform
