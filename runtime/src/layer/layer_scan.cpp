#include "deskext/layer/layer_scan.hpp"

#include <optional>
#include <set>
#include <utility>

#include "deskext/layer/single_pass.hpp"
#include "layer/layer_io.hpp"

namespace deskext::layer {

namespace {

// Wants no file written out: a scan keeps the captured files only.
class NoCandidates final : public CandidateFilter {
public:
    void captured(std::string_view, std::string_view) override {}
    [[nodiscard]] bool wanted(std::string_view) const override { return false; }
};

Result<void> write_entry(LayerReader& reader, const Entry& entry,
                         const std::vector<const Placement*>& placements,
                         std::vector<std::byte>& buffer) {
    if (entry.type != EntryType::file)
        return fail(ErrorCode::invalid_extension,
                    "layer entry \"" + entry.path + "\" is not a regular file and cannot be "
                                                    "installed as one");
    std::vector<OutputFile> outputs;
    outputs.reserve(placements.size());
    for (const Placement* placement : placements) {
        DESKEXT_TRY_ASSIGN(OutputFile out, OutputFile::create(placement->to, placement->mode));
        outputs.push_back(std::move(out));
    }
    std::vector<OutputFile*> targets;
    for (OutputFile& out : outputs) targets.push_back(&out);
    DESKEXT_TRY(copy_entry_data(reader, targets, buffer));
    return {};
}

Result<void> extract_from_layer(ImageSource& source, const oci::Descriptor& descriptor,
                                std::size_t index,
                                const std::map<std::size_t, std::vector<const Placement*>>& wanted,
                                const Limits& limits, const ProgressFn& progress) {
    DESKEXT_TRY_ASSIGN(OpenLayer layer, open_layer(source, descriptor, index, limits, progress));
    LayerReader& reader = *layer.reader;
    std::vector<std::byte> buffer(k_copy_buffer);
    auto next_wanted = wanted.begin();
    for (std::size_t ordinal = 0; next_wanted != wanted.end(); ++ordinal) {
        DESKEXT_TRY_ASSIGN(std::optional<Entry> entry, reader.next());
        if (!entry)
            return fail(ErrorCode::internal, "entry " + std::to_string(next_wanted->first) +
                                                 " is not in the layer any more");
        if (ordinal != next_wanted->first) continue;
        DESKEXT_TRY(write_entry(reader, *entry, next_wanted->second, buffer));
        ++next_wanted;
    }
    // The rest of the layer is not needed, but the whole blob must be read for its digest:
    // nothing written above may be trusted before this returns.
    DESKEXT_TRY(reader.finish());
    return {};
}

// Reads the heads of the wanted entries (ordinals, sorted) of one layer, then the rest of it.
Result<void> heads_from_layer(ImageSource& source, const oci::Descriptor& descriptor,
                              std::size_t index, const std::set<std::size_t>& wanted,
                              std::size_t max_bytes, const Limits& limits,
                              const ProgressFn& progress, std::map<EntryRef, std::string>& heads) {
    DESKEXT_TRY_ASSIGN(OpenLayer layer, open_layer(source, descriptor, index, limits, progress));
    LayerReader& reader = *layer.reader;
    auto next_wanted = wanted.begin();
    for (std::size_t ordinal = 0; next_wanted != wanted.end(); ++ordinal) {
        DESKEXT_TRY_ASSIGN(std::optional<Entry> entry, reader.next());
        if (!entry)
            return fail(ErrorCode::internal,
                        "entry " + std::to_string(*next_wanted) + " is not in the layer any more");
        if (ordinal != *next_wanted) continue;
        if (entry->type != EntryType::file)
            return fail(ErrorCode::invalid_extension,
                        "layer entry \"" + entry->path + "\" is not a regular file");
        std::string head(max_bytes, '\0');
        std::size_t filled = 0;
        while (filled < max_bytes) {
            DESKEXT_TRY_ASSIGN(const std::size_t n,
                               reader.read_data(std::as_writable_bytes(
                                   std::span(head.data() + filled, max_bytes - filled))));
            if (n == 0) break;
            filled += n;
        }
        head.resize(filled);
        heads.insert_or_assign(EntryRef{index, ordinal}, std::move(head));
        ++next_wanted;
    }
    // The heads may be trusted only once the whole blob has matched its digest.
    DESKEXT_TRY(reader.finish());
    return {};
}

}  // namespace

Result<ScanResult> scan_layers(ImageSource& source, const oci::Manifest& manifest,
                               const std::vector<std::string>& capture, const Limits& limits,
                               const ProgressFn& progress) {
    // The installer's read, with nothing written out: one reader, one set of checks.
    NoCandidates none;
    DESKEXT_TRY_ASSIGN(auto read,
                       read_layers_once(source, manifest, capture, none, {}, limits, progress));
    return std::move(read.scan);
}

Result<void> extract_entries(ImageSource& source, const oci::Manifest& manifest,
                             const std::vector<Placement>& placements, const Limits& limits,
                             const ProgressFn& progress) {
    DESKEXT_TRY(check_layer_count(manifest, limits));
    // layer → ordinal → destinations, so that each layer is read once, in archive order.
    std::map<std::size_t, std::map<std::size_t, std::vector<const Placement*>>> by_layer;
    for (const Placement& placement : placements) {
        if (placement.from.layer >= manifest.layers.size())
            return fail(ErrorCode::internal,
                        "entry of layer " + std::to_string(placement.from.layer) +
                            " asked for, but the image has " +
                            std::to_string(manifest.layers.size()) + " layers");
        by_layer[placement.from.layer][placement.from.ordinal].push_back(&placement);
    }
    for (const auto& [index, wanted] : by_layer) {
        const oci::Descriptor& descriptor = manifest.layers[index];
        auto extracted = extract_from_layer(source, descriptor, index, wanted, limits, progress);
        if (!extracted) return std::unexpected(std::move(extracted).error().context(
                            "extracting from " + layer_name(index, descriptor)));
    }
    return {};
}

Result<std::map<EntryRef, std::string>> read_entry_heads(
    ImageSource& source, const oci::Manifest& manifest, const std::vector<EntryRef>& entries,
    std::size_t max_bytes, const Limits& limits, const ProgressFn& progress) {
    DESKEXT_TRY(check_layer_count(manifest, limits));
    std::map<std::size_t, std::set<std::size_t>> by_layer;
    for (const EntryRef& ref : entries) {
        if (ref.layer >= manifest.layers.size())
            return fail(ErrorCode::internal, "entry of layer " + std::to_string(ref.layer) +
                                                 " asked for, but the image has " +
                                                 std::to_string(manifest.layers.size()) +
                                                 " layers");
        by_layer[ref.layer].insert(ref.ordinal);
    }
    std::map<EntryRef, std::string> heads;
    for (const auto& [index, wanted] : by_layer) {
        const oci::Descriptor& descriptor = manifest.layers[index];
        DESKEXT_TRY(in_context(heads_from_layer(source, descriptor, index, wanted, max_bytes,
                                                limits, progress, heads),
                               index, descriptor));
    }
    return heads;
}

}  // namespace deskext::layer
