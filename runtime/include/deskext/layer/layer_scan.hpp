#pragma once
// Reading what an image's layers hold.
//  1. scan_layers: the merged ImageTree and the content of a few small files the caller asks
//     for (metadata.json), every layer read whole and verified: the installer's own read
//     (read_layers_once, single_pass.hpp) with nothing written out, so that install, inspect
//     and validate apply the same checks and caps to the same image.
//  2. extract_entries: reads again only the layers that hold wanted entries and writes those
//     entries' data to their destinations; read_entry_heads reads the first bytes of entries.

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "deskext/layer/image_tree.hpp"
#include "deskext/layer/layer_progress.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::layer {

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

// The first `max_bytes` of each regular-file entry in `entries` (fewer when the file is
// shorter), without writing anything: what the binary header checks of inspect and validate
// read. Each layer holding a wanted entry is read once and to its end, so its digest is verified
// before anything is returned.
[[nodiscard]] Result<std::map<EntryRef, std::string>> read_entry_heads(
    ImageSource& source, const oci::Manifest& manifest, const std::vector<EntryRef>& entries,
    std::size_t max_bytes, const Limits& limits, const ProgressFn& progress = {});

}  // namespace deskext::layer
