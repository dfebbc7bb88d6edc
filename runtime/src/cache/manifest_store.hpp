#pragma once
// Manifests fetched by digest, kept in the blob cache beside the blobs
// (<dir>/manifests/sha256/<hex>), so that installing an image again asks the registry only what
// its tag points to (as containerd keeps manifests in its content store). Written without a
// flush (unflushed_entry.hpp): every read hashes the whole document, and one that does not match
// its digest is removed and reported absent.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "cache/blob_cache.hpp"

namespace deskext::cache {

// The manifest recorded for `digest`, read whole and matching it; nullopt when there is none,
// or it is larger than `cap` or does not match (then it is removed).
[[nodiscard]] std::optional<std::string> read_manifest(const BlobCache& cache, const Digest& digest,
                                                       std::size_t cap);

// Records a manifest that matched `digest`.
[[nodiscard]] Result<void> write_manifest(const BlobCache& cache, const Digest& digest,
                                          std::string_view bytes);

// Removes the manifest recorded for `digest`, if any (it matched its digest but was found
// unusable).
void remove_manifest(const BlobCache& cache, const Digest& digest);

}  // namespace deskext::cache
