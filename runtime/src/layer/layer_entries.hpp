#pragma once
// The entries of every layer of an image between the time the layers are read (in any order,
// some concurrently) and the time the merged tree is built from them, bottom-up. A blob the
// manifest lists several times is read and kept once and shared by its listings; each listing
// still spends its entries on the image-wide budget, as building the tree applies them again.

#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "deskext/digest.hpp"
#include "deskext/layer/entry_list.hpp"
#include "deskext/layer/image_tree.hpp"
#include "deskext/oci/models.hpp"
#include "layer/entry_budget.hpp"

namespace deskext::layer {

class LayerEntries {
public:
    // `layers` (the manifest's) and `budget` must outlive this. Entries read live are spent by
    // the reader; those shared or taken from a record are spent here.
    LayerEntries(const std::vector<oci::Descriptor>& layers, EntryBudget& budget)
        : m_layers(layers), m_budget(budget) {}

    // True when layer `index` needs no read of its own: its blob is kept already (it is shared
    // now and its entries spent) or is being read for another listing (it is shared by
    // share_waiting once kept).
    [[nodiscard]] Result<bool> share(std::size_t index);
    // Notes that the blob of layer `index` is being read: share() waits for it.
    void reading(std::size_t index);
    // The entries of layer `index`, just read.
    void keep(std::size_t index, EntryList entries);
    // The entries the source recorded for layer `index` (ImageSource::layer_entries).
    [[nodiscard]] Result<void> keep_recorded(std::size_t index, EntryList entries);
    // Shares the blobs kept since with the listings share() left waiting.
    [[nodiscard]] Result<void> share_waiting();

    // Applies every layer's entries to `tree`, bottom-up; each blob's entries are freed once its
    // last listing is applied.
    [[nodiscard]] Result<void> apply(ImageTree& tree);

private:
    [[nodiscard]] Result<void> share_kept(std::size_t index);

    const std::vector<oci::Descriptor>& m_layers;
    EntryBudget& m_budget;
    std::map<Digest, std::shared_ptr<const EntryList>> m_by_blob;
    std::map<std::size_t, std::shared_ptr<const EntryList>> m_by_layer;
    std::set<Digest> m_reading;          // blobs being read
    std::vector<std::size_t> m_waiting;  // layers whose blob is being read for another
};

}  // namespace deskext::layer
