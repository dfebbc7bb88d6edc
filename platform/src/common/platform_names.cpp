// Platform names as OCI and Docker write them, normalised the way containerd's
// platforms.Normalize does, so that equal platforms compare equal
// (https://github.com/opencontainers/image-spec/blob/main/image-index.md#platform-variants).

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "deskext/ascii.hpp"
#include "deskext/platform/platform.hpp"

namespace deskext::platform {
namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool all_digits(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return true;
}

struct ArchAlias {
    std::string_view alias;
    std::string_view arch;
    std::string_view implied_variant;  // what the alias says about the variant, if anything
};

// uname(2) machine names and the spellings people type, mapped onto GOARCH names (which OCI uses).
constexpr std::array<ArchAlias, 17> k_arch_aliases{{
    {"x86_64", "amd64", ""},
    {"x86-64", "amd64", ""},
    {"x64", "amd64", ""},
    {"amd64", "amd64", ""},
    {"aarch64", "arm64", ""},
    {"arm64", "arm64", ""},
    {"i386", "386", ""},
    {"i486", "386", ""},
    {"i586", "386", ""},
    {"i686", "386", ""},
    {"x86", "386", ""},
    {"armv7l", "arm", "v7"},
    {"armv7", "arm", "v7"},
    {"armhf", "arm", "v7"},
    {"armv6l", "arm", "v6"},
    {"armel", "arm", "v6"},
    {"armv8l", "arm", "v8"},
}};

// The normalised arch and the variant its spelling implies ("armv7l" → arm, v7).
std::pair<std::string, std::string> split_arch(std::string_view arch) {
    std::string lowered = ascii_lower(arch);
    for (const auto& alias : k_arch_aliases) {
        if (lowered == alias.alias) {
            return {std::string(alias.arch), std::string(alias.implied_variant)};
        }
    }
    return {std::move(lowered), {}};
}

Result<Platform> invalid_platform(std::string_view text) {
    return fail(ErrorCode::usage, "invalid platform \"" + std::string(text) +
                                      "\": expected OS/ARCH[/VARIANT], like darwin/arm64");
}

}  // namespace

std::string normalize_os(std::string_view os) {
    std::string lowered = ascii_lower(os);
    if (lowered == "macos" || lowered == "osx" || lowered == "mac" || lowered == "macosx") {
        return "darwin";
    }
    if (lowered == "win" || lowered == "win32" || lowered == "win64") return "windows";
    return lowered;
}


std::string normalize_variant(std::string_view arch, std::string_view variant) {
    std::string lowered = ascii_lower(variant);
    // containerd accepts "8" for "v8" on arm and arm64; do the same.
    if ((arch == "arm" || arch == "arm64") && all_digits(lowered)) lowered = "v" + lowered;
    // arm64 without a variant means ARMv8, and amd64 without one means the baseline v1.
    if (arch == "arm64" && lowered == "v8") return {};
    if (arch == "amd64" && lowered == "v1") return {};
    return lowered;
}

Platform make_platform(std::string_view os, std::string_view arch, std::string_view variant) {
    auto [normalized_arch, implied_variant] = split_arch(arch);
    std::string_view chosen = variant.empty() ? std::string_view(implied_variant) : variant;
    std::string normalized_variant = normalize_variant(normalized_arch, chosen);
    return Platform{normalize_os(os), std::move(normalized_arch), std::move(normalized_variant)};
}

Result<Platform> parse_platform(std::string_view text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        std::size_t slash = text.find('/', start);
        std::string_view part = text.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        std::string lowered = ascii_lower(part);
        if (lowered.empty()) return invalid_platform(text);
        for (char c : lowered) {
            if (!is_name_char(c)) return invalid_platform(text);
        }
        parts.push_back(std::move(lowered));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    if (parts.size() != 2 && parts.size() != 3) return invalid_platform(text);
    return make_platform(parts[0], parts[1], parts.size() == 3 ? parts[2] : std::string());
}

std::string to_string(const Platform& platform) {
    std::string out = platform.os + "/" + platform.arch;
    if (!platform.variant.empty()) out += "/" + platform.variant;
    return out;
}

}  // namespace deskext::platform
