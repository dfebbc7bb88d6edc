#pragma once
// The image-wide caps on entries and on the bytes of their names and link targets
// (Limits::max_image_entries, max_name_bytes). Every entry a layer pass reads or takes from a
// record is spent here, each layer as often as the manifest lists it, so that the memory the
// kept entries and the merged tree take, and the time building it takes, are bounded whatever
// the number of layers, entries and names. Safe to spend from several threads.

#include <atomic>
#include <cstddef>

#include "deskext/error.hpp"
#include "deskext/limits.hpp"

namespace deskext::layer {

class EntryBudget {
public:
    explicit EntryBudget(const Limits& limits) : m_limits(limits) {}

    // Spends `entries` entries whose names and targets take `name_bytes`; invalid_extension
    // naming the cap and its option once either total is exceeded.
    [[nodiscard]] Result<void> spend(std::size_t entries, std::size_t name_bytes);

private:
    const Limits& m_limits;
    std::atomic<std::size_t> m_entries = 0;
    std::atomic<std::size_t> m_name_bytes = 0;
};

}  // namespace deskext::layer
