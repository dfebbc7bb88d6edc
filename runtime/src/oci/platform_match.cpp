// Picking the manifest of an index for a platform.
// https://github.com/opencontainers/image-spec/blob/main/image-index.md#platform-variants
//
// Matching rules (both sides normalised by platform::make_platform first):
// - os, arch and variant must be equal; this makes arm64 ≡ arm64/v8 and x86_64 ≡ amd64.
// - Exception: a wanted "arm" without a variant takes the 32-bit arm entry with the highest
//   variant (v7 over v6 over v5) when no entry has an empty variant, as containerd does.
// - The first matching entry wins when several match.
// - Entries without a platform, with os/arch "unknown", or annotated as attestation manifests
//   (BuildKit's provenance / SBOM) are never chosen and never listed.

#include "deskext/oci/platform_match.hpp"

#include <algorithm>
#include <cctype>

namespace deskext::oci {

namespace {

constexpr std::string_view reference_type_annotation = "vnd.docker.reference.type";
constexpr std::string_view attestation_manifest = "attestation-manifest";

bool is_selectable(const Descriptor& entry) {
    if (!entry.platform) return false;
    if (entry.platform->os == "unknown" || entry.platform->arch == "unknown") return false;
    const auto it = entry.annotations.find(std::string(reference_type_annotation));
    return it == entry.annotations.end() || it->second != attestation_manifest;
}

platform::Platform normalised(const platform::Platform& p) {
    return platform::make_platform(p.os, p.arch, p.variant);
}

// "v7" → 7; anything that is not "v<digits>" ranks lowest.
int variant_rank(std::string_view variant) {
    if (variant.size() < 2 || variant.front() != 'v') return -1;
    int rank = 0;
    for (char c : variant.substr(1)) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || rank > 1000) return -1;
        rank = rank * 10 + (c - '0');
    }
    return rank;
}

std::string list_platforms(const std::vector<platform::Platform>& platforms) {
    if (platforms.empty()) return "no platform-specific manifest";
    std::string out;
    for (const auto& p : platforms) {
        if (!out.empty()) out += ", ";
        out += platform::to_string(p);
    }
    return out;
}

}  // namespace

Result<Descriptor> select_manifest(const Index& index, const platform::Platform& wanted) {
    const platform::Platform want = normalised(wanted);
    const Descriptor* best_arm = nullptr;
    int best_rank = -2;
    for (const auto& entry : index.manifests) {
        if (!is_selectable(entry)) continue;
        const platform::Platform have = normalised(*entry.platform);
        if (have == want) return entry;
        if (want.arch == "arm" && want.variant.empty() && have.os == want.os &&
            have.arch == want.arch) {
            const int rank = variant_rank(have.variant);
            if (rank > best_rank) {
                best_rank = rank;
                best_arm = &entry;
            }
        }
    }
    if (best_arm != nullptr) return *best_arm;
    return fail(ErrorCode::no_matching_platform,
                "no " + platform::to_string(want) + " variant in the image; it has: " +
                    list_platforms(image_platforms(index)));
}

std::vector<platform::Platform> image_platforms(const Index& index) {
    std::vector<platform::Platform> platforms;
    for (const auto& entry : index.manifests) {
        if (!is_selectable(entry)) continue;
        platform::Platform p = normalised(*entry.platform);
        // One line per platform even when an index repeats one (first entry wins anyway).
        if (std::find(platforms.begin(), platforms.end(), p) == platforms.end())
            platforms.push_back(std::move(p));
    }
    return platforms;
}

}  // namespace deskext::oci
