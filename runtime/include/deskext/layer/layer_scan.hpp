#pragma once
// The two passes over an image's layers that the installer makes.
//  1. scan_layers: reads every layer whole (verifying its digest), builds the ImageTree and
//     keeps the content of a few small files the caller asks for (metadata.json).
//  2. extract_entries: reads again only the layers that hold wanted entries and writes those
//     entries' data to their destinations.

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "deskext/layer/image_tree.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::layer {

struct LayerProgress {
    std::size_t layer = 0;         // index in the manifest
    std::int64_t bytes_done = 0;   // compressed bytes read so far
    std::int64_t bytes_total = 0;  // descriptor size
};
using ProgressFn = std::function<void(const LayerProgress&)>;

struct ScanResult {
    ImageTree tree;
    // Content of each regular file whose path was in `capture` (as it is in the final tree),
    // read up to Limits::max_metadata_bytes.
    std::map<std::string, std::string, std::less<>> captured;
};

[[nodiscard]] Result<ScanResult> scan_layers(ImageSource& source, const oci::Manifest& manifest,
                                             const std::vector<std::string>& capture,
                                             const Limits& limits, const ProgressFn& progress);

// Where one entry's data goes. Destinations are absolute paths the caller built inside its
// staging directory; each is created new (O_EXCL, never through a symlink) with `mode`.
struct Placement {
    EntryRef from;
    std::filesystem::path to;
    std::uint32_t mode = 0644;
};

[[nodiscard]] Result<void> extract_entries(ImageSource& source, const oci::Manifest& manifest,
                                           const std::vector<Placement>& placements,
                                           const Limits& limits, const ProgressFn& progress);

}  // namespace deskext::layer
