#pragma once
// GNU sparse files in PAX form (formats 0.0, 0.1 and 1.0), read as Go's archive/tar reads them:
// the map of the data regions, checked (in order, not overlapping, within the size), turned into
// the holes between them, which read back as zeros. Private to runtime/src.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "layer/tar_header.hpp"

namespace deskext::layer {

struct SparseRegion {
    std::int64_t offset = 0;
    std::int64_t length = 0;
    [[nodiscard]] std::int64_t end() const { return offset + length; }
};

// Which GNU sparse format the PAX records of an entry say, if any.
enum class SparseFormat { none, map_in_records /* 0.0, 0.1 */, map_in_data /* 1.0 */ };
[[nodiscard]] SparseFormat sparse_format(const PaxRecords& records);

// The regions of a 0.0 or 0.1 map ("GNU.sparse.numblocks", "GNU.sparse.map");
// k_invalid_header when they do not parse or disagree.
[[nodiscard]] Result<std::vector<SparseRegion>> sparse_map_from_records(const PaxRecords& records);

// Reads the 1.0 map at the start of an entry's data: newline-terminated decimal numbers, the
// count first, then offset and length of each region, padded to whole blocks.
class SparseMapParser {
public:
    explicit SparseMapParser(std::size_t max_regions) : m_max_regions(max_regions) {}
    // Feeds one block; true once the map is complete (the rest of this block is padding).
    [[nodiscard]] Result<bool> feed(std::string_view block);
    [[nodiscard]] std::vector<SparseRegion> take() { return std::move(m_regions); }

private:
    Result<void> token(std::string_view text);
    std::size_t m_max_regions;
    std::string m_token;
    std::optional<std::int64_t> m_count;
    std::optional<std::int64_t> m_offset;  // of the region whose length comes next
    std::vector<SparseRegion> m_regions;
};

// Go's validateSparseEntries: no negative values, no overflow, in order, within `size`.
[[nodiscard]] bool valid_sparse_regions(const std::vector<SparseRegion>& regions,
                                        std::int64_t size);

// The holes between the regions (Go's invertSparseEntries): empty regions dropped, and always a
// last hole ending at `size`, possibly empty.
[[nodiscard]] std::vector<SparseRegion> sparse_holes(const std::vector<SparseRegion>& regions,
                                                     std::int64_t size);

}  // namespace deskext::layer
