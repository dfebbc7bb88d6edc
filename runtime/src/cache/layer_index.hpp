#pragma once
// A layer's entry headers (path, type, mode, size, link target), kept in the blob cache beside
// the blob (<dir>/index/sha256/<hex of the blob>) once the layer has been read whole and matched
// its digest. Like the blobs it is content-addressed: a layer's entries never change, so a later
// install builds the merged tree from it without reading a layer that holds nothing it needs.
// The entries go through the same ImageTree checks as entries read from a layer.

#include <optional>

#include "cache/blob_cache.hpp"
#include "deskext/layer/entry_list.hpp"

namespace deskext::cache {

// The entries recorded for `layer`, or nullopt when none are (a file that does not parse, or
// names another layer, is removed and reported absent).
[[nodiscard]] std::optional<layer::EntryList> read_layer_index(const BlobCache& cache,
                                                               const Digest& layer,
                                                               const Limits& limits);

// Records the entries of a layer that was just read whole and verified. Written to a temporary
// file and renamed into place.
[[nodiscard]] Result<void> write_layer_index(const BlobCache& cache, const Digest& layer,
                                             const layer::EntryList& entries);

}  // namespace deskext::cache
