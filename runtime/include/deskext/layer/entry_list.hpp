#pragma once
// The entry headers of one layer, held compactly until the image tree is built from them: the
// names and link targets of all entries in one buffer, and a fixed 32-byte record an entry. A
// layer's headers are kept from the time it is read until the tree is built bottom-up, and for
// a layer with many long names a vector of Entry would cost several times the names' bytes.

#include <cstdint>
#include <string>
#include <vector>

#include "deskext/layer/layer_reader.hpp"

namespace deskext::layer {

class EntryList {
public:
    void push_back(const Entry& entry);

    // A copy of entry `i` (0 ≤ i < size()).
    [[nodiscard]] Entry operator[](std::size_t i) const;
    // Entry `i` copied into `out`, whose strings keep their buffers: a walk over many entries
    // allocates nothing once they are long enough.
    void copy_to(std::size_t i, Entry& out) const;
    [[nodiscard]] std::size_t size() const { return m_records.size(); }
    [[nodiscard]] bool empty() const { return m_records.empty(); }
    // The bytes of every entry's name and link target.
    [[nodiscard]] std::size_t name_bytes() const { return m_names.size(); }

private:
    struct Record {
        std::uint64_t offset = 0;  // of the name in m_names; the link target follows it
        std::uint32_t path_bytes = 0;
        std::uint32_t link_bytes = 0;
        std::int64_t size = 0;
        std::uint32_t mode = 0;
        EntryType type = EntryType::file;
    };

    std::vector<Record> m_records;
    std::string m_names;
};

}  // namespace deskext::layer
