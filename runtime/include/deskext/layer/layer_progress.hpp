#pragma once
// Progress of reading or fetching one layer of an image, as reported to the installer's events.

#include <cstddef>
#include <cstdint>
#include <functional>

namespace deskext::layer {

struct LayerProgress {
    std::size_t layer = 0;         // index in the manifest
    std::int64_t bytes_done = 0;   // compressed bytes read so far
    std::int64_t bytes_total = 0;  // descriptor size
};
using ProgressFn = std::function<void(const LayerProgress&)>;

}  // namespace deskext::layer
