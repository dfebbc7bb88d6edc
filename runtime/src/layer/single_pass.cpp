#include "deskext/layer/single_pass.hpp"

#include <set>
#include <utility>

#include <fmt/format.h>

#include "deskext/platform/fs.hpp"
#include "layer/layer_io.hpp"

namespace deskext::layer {
namespace {

// What the reads of one image share.
struct Pass {
    ImageSource& source;
    const oci::Manifest& manifest;
    std::set<std::string, std::less<>> capture;
    CandidateFilter& filter;
    const std::filesystem::path& candidate_dir;
    const Limits& limits;
    const ProgressFn& progress;
    std::int64_t uncompressed_total = 0;
    std::map<std::string, Capture, std::less<>> captures;
    std::map<EntryRef, std::filesystem::path> candidates;
    std::vector<std::byte> buffer;
};

Result<void> write_candidate(Pass& pass, LayerReader& reader, EntryRef ref) {
    auto path = pass.candidate_dir / fmt::format("{}-{}", ref.layer, ref.ordinal);
    DESKEXT_TRY_ASSIGN(OutputFile out, OutputFile::create(path, 0600));
    DESKEXT_TRY(copy_entry_data(reader, {&out}, pass.buffer));
    pass.candidates.insert_or_assign(ref, std::move(path));
    return {};
}

// Reads layer `index` to its end. Its entries go into `tree` when the layers below are there
// already, else they are kept in `held` for later; only then (the layers searched from the top)
// are captures passed on to the filter: a lower layer's file is hidden by the one found above.
// Once the layer matched its digest, its entries are handed to the source to keep.
Result<void> read_layer(Pass& pass, std::size_t index, ImageTree* tree, std::vector<Entry>* held) {
    std::vector<Entry> kept;
    std::vector<Entry>& entries = held != nullptr ? *held : kept;
    Limits layer_limits = pass.limits;
    // The image-wide cap: this layer may use what the layers read before left.
    layer_limits.max_uncompressed_bytes =
        pass.limits.max_uncompressed_bytes - pass.uncompressed_total;
    DESKEXT_TRY_ASSIGN(OpenLayer layer, open_layer(pass.source, pass.manifest.layers[index], index,
                                                   layer_limits, pass.progress));
    LayerReader& reader = *layer.reader;
    for (std::size_t ordinal = 0;; ++ordinal) {
        DESKEXT_TRY_ASSIGN(std::optional<Entry> entry, reader.next());
        if (!entry) break;
        const EntryRef ref{index, ordinal};
        if (tree != nullptr) DESKEXT_TRY(tree->apply(*entry, ref));
        if (entry->type == EntryType::file) {
            if (pass.capture.contains(entry->path)) {
                DESKEXT_TRY_ASSIGN(Capture captured,
                                   capture_entry(reader, ref, pass.limits.max_metadata_bytes));
                if (tree == nullptr && !captured.too_big)
                    pass.filter.captured(entry->path, captured.data);
                pass.captures.insert_or_assign(entry->path, std::move(captured));
            } else if (pass.filter.wanted(entry->path)) {
                DESKEXT_TRY(write_candidate(pass, reader, ref));
            }
        }
        entries.push_back(std::move(*entry));
    }
    DESKEXT_TRY(reader.finish());
    pass.uncompressed_total += reader.uncompressed_bytes();
    pass.source.keep_layer_entries(pass.manifest.layers[index], entries);
    return {};
}

Result<void> in_context(Result<void> result, std::size_t index, const oci::Descriptor& layer) {
    if (!result)
        return std::unexpected(
            std::move(result).error().context("reading " + layer_name(index, layer)));
    return {};
}

}  // namespace

Result<SinglePassResult> read_layers_once(ImageSource& source, const oci::Manifest& manifest,
                                          const std::vector<std::string>& capture,
                                          CandidateFilter& filter,
                                          const std::filesystem::path& candidate_dir,
                                          const Limits& limits, const ProgressFn& progress) {
    DESKEXT_TRY(check_layer_count(manifest, limits));
    Pass pass{source,
              manifest,
              {capture.begin(), capture.end()},
              filter,
              candidate_dir,
              limits,
              progress,
              0,
              {},
              {},
              std::vector<std::byte>(k_copy_buffer)};
    SinglePassResult result;
    const auto& layers = manifest.layers;

    // Downwards from the top until every file to capture has been seen: the entries of these
    // layers wait in `held` until the layers below them are in the tree.
    std::map<std::size_t, std::vector<Entry>> held;
    std::size_t lowest = layers.size();
    const auto all_seen = [&] {
        for (const auto& path : pass.capture)
            if (!pass.captures.contains(path)) return false;
        return true;
    };
    while (lowest > 0) {
        --lowest;
        DESKEXT_TRY(
            in_context(read_layer(pass, lowest, nullptr, &held[lowest]), lowest, layers[lowest]));
        result.read_order.push_back(lowest);
        if (all_seen()) break;
    }
    // The rest bottom-up, straight into the tree; then the held ones on top, in order. A layer
    // whose entries the source recorded is not read: should it hold a file the install needs,
    // extract_entries reads it then.
    for (std::size_t index = 0; index < lowest; ++index) {
        if (auto recorded = source.layer_entries(layers[index])) {
            for (std::size_t ordinal = 0; ordinal < recorded->size(); ++ordinal)
                DESKEXT_TRY(
                    in_context(result.scan.tree.apply((*recorded)[ordinal], {index, ordinal}),
                               index, layers[index]));
            // Its captures are hidden by the one the search found above it.
            continue;
        }
        DESKEXT_TRY(
            in_context(read_layer(pass, index, &result.scan.tree, nullptr), index, layers[index]));
        result.read_order.push_back(index);
    }
    for (auto& [index, entries] : held) {
        for (std::size_t ordinal = 0; ordinal < entries.size(); ++ordinal)
            DESKEXT_TRY(in_context(result.scan.tree.apply(entries[ordinal], {index, ordinal}),
                                   index, layers[index]));
        entries = {};
    }
    DESKEXT_TRY_ASSIGN(result.scan.captured,
                       final_captures(result.scan.tree, pass.captures, limits));
    result.candidates = std::move(pass.candidates);
    return result;
}

namespace {

Result<void> copy_to_new_file(const std::filesystem::path& from, const Placement& to,
                              std::vector<std::byte>& buffer) {
    DESKEXT_TRY_ASSIGN(auto in, open_file_reader(from.string()));
    DESKEXT_TRY_ASSIGN(OutputFile out, OutputFile::create(to.to, to.mode));
    while (true) {
        DESKEXT_TRY_ASSIGN(const std::size_t n, in->read(buffer));
        if (n == 0) break;
        DESKEXT_TRY(out.write(std::span(buffer).first(n)));
    }
    return out.close();
}

}  // namespace

Result<std::vector<Placement>> place_candidates(
    const std::map<EntryRef, std::filesystem::path>& candidates,
    const std::vector<Placement>& placements) {
    std::vector<Placement> rest;
    std::map<EntryRef, std::filesystem::path> placed;  // entry → its first destination
    std::vector<std::byte> buffer;
    for (const Placement& placement : placements) {
        if (auto first = placed.find(placement.from); first != placed.end()) {
            if (buffer.empty()) buffer.resize(k_copy_buffer);
            DESKEXT_TRY(copy_to_new_file(first->second, placement, buffer));
            continue;
        }
        auto candidate = candidates.find(placement.from);
        if (candidate == candidates.end()) {
            rest.push_back(placement);
            continue;
        }
        DESKEXT_TRY(platform::create_directories(placement.to.parent_path()));
        DESKEXT_TRY(platform::move_to_new_file(candidate->second, placement.to));
        DESKEXT_TRY(platform::set_mode(placement.to, placement.mode));
        placed.emplace(placement.from, placement.to);
    }
    return rest;
}

}  // namespace deskext::layer
