#include "layer/layer_entries.hpp"

#include <utility>

#include "layer/layer_io.hpp"

namespace deskext::layer {

Result<void> LayerEntries::share_kept(std::size_t index) {
    const auto& kept = m_by_blob.at(m_layers[index].digest);
    DESKEXT_TRY(
        in_context(m_budget.spend(kept->size(), kept->name_bytes()), index, m_layers[index]));
    m_by_layer[index] = kept;
    return {};
}

Result<bool> LayerEntries::share(std::size_t index) {
    const Digest& blob = m_layers[index].digest;
    if (m_by_blob.contains(blob)) {
        DESKEXT_TRY(share_kept(index));
        return true;
    }
    if (!m_reading.contains(blob)) return false;
    m_waiting.push_back(index);
    return true;
}

void LayerEntries::reading(std::size_t index) { m_reading.insert(m_layers[index].digest); }

void LayerEntries::keep(std::size_t index, EntryList entries) {
    auto kept = std::make_shared<const EntryList>(std::move(entries));
    m_by_blob.insert_or_assign(m_layers[index].digest, kept);
    m_by_layer[index] = std::move(kept);
}

Result<void> LayerEntries::keep_recorded(std::size_t index, EntryList entries) {
    DESKEXT_TRY(
        in_context(m_budget.spend(entries.size(), entries.name_bytes()), index, m_layers[index]));
    keep(index, std::move(entries));
    return {};
}

Result<void> LayerEntries::share_waiting() {
    for (const std::size_t index : m_waiting) DESKEXT_TRY(share_kept(index));
    m_waiting.clear();
    return {};
}

Result<void> LayerEntries::apply(ImageTree& tree) {
    m_by_blob.clear();  // from here on, a blob's entries live as long as a listing holds them
    Entry entry;  // one buffer for every entry applied
    for (auto& [index, entries] : m_by_layer) {
        for (std::size_t ordinal = 0; ordinal < entries->size(); ++ordinal) {
            entries->copy_to(ordinal, entry);
            DESKEXT_TRY(in_context(tree.apply(entry, {index, ordinal}), index, m_layers[index]));
        }
        entries.reset();
    }
    return {};
}

}  // namespace deskext::layer
