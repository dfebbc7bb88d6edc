#pragma once
// Every cap deskext puts on untrusted input, in one place. Defaults are far above what any real
// extension image needs and far below what would hurt the machine.

#include <cstddef>
#include <cstdint>

namespace deskext {

struct Limits {
    std::size_t max_manifest_bytes = 4u << 20;     // index, manifest list, manifest
    std::size_t max_config_bytes = 8u << 20;       // image config
    std::size_t max_metadata_bytes = 1u << 20;     // metadata.json
    std::size_t max_index_entries = 4096;          // manifests in one index
    std::size_t max_layers = 256;                  // layers in one manifest
    std::size_t max_entries_per_layer = 1u << 20;  // tar entries in one layer
    // Across the image, each layer counted as often as the manifest lists it: what building the
    // merged tree costs in memory and time is bounded by these two (SECURITY.md).
    std::size_t max_image_entries = 1u << 20;  // tar entries of all layers
    std::size_t max_name_bytes = 64u << 20;    // their names and link targets, in bytes
    std::size_t max_path_bytes = 4096;         // one entry name or link target
    std::int64_t max_uncompressed_bytes = std::int64_t{64} << 30;  // sum over all layers
    std::int64_t max_compression_ratio = 1000;  // uncompressed / compressed, per layer
};

}  // namespace deskext
