#pragma once
// Picking the manifest of an index for a platform.
// https://github.com/opencontainers/image-spec/blob/main/image-index.md#platform-variants

#include "deskext/oci/models.hpp"

namespace deskext::oci {

// Returns the entry whose platform equals `wanted` after normalisation (arm64 without variant
// ≡ arm64/v8). Entries without a platform or with os/arch "unknown" (attestations written by
// BuildKit) are never chosen. When nothing matches: ErrorCode::no_matching_platform with a
// message listing the platforms the image has.
[[nodiscard]] Result<Descriptor> select_manifest(const Index& index,
                                                 const platform::Platform& wanted);

// Every platform an index offers (attestations excluded), in index order.
[[nodiscard]] std::vector<platform::Platform> image_platforms(const Index& index);

}  // namespace deskext::oci
