#include "deskext/layer/single_pass.hpp"

#include <algorithm>
#include <atomic>
#include <limits>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "deskext/layer/entry_list.hpp"
#include "deskext/platform/fs.hpp"
#include "layer/entry_budget.hpp"
#include "layer/layer_entries.hpp"
#include "layer/layer_io.hpp"
#include "parallel/for_each_index.hpp"

namespace deskext::layer {
namespace {

// Layers read at once, at most: each costs a copy buffer and a decompressor (about 2 MiB).
constexpr std::size_t k_max_reader_threads = 4;
// What a read gives up with when another one failed.
constexpr std::string_view k_stopped = "stopped: another layer failed";

// What the reads of one image share. Reads run on several threads once the search from the
// top is over: the source is asked for one thing at a time (`source_mutex`), and the filter is
// only read then.
struct Pass {
    ImageSource& source;
    std::mutex source_mutex;
    const oci::Manifest& manifest;
    std::set<std::string, std::less<>> capture;
    CandidateFilter& filter;
    const std::filesystem::path& candidate_dir;
    const Limits& limits;
    const ProgressFn& progress;
    // Uncompressed bytes of every layer so far, against the image-wide cap.
    std::atomic<std::int64_t> uncompressed_total = 0;
    EntryBudget budget{limits};
    // Of the layers read concurrently, the lowest index of those that failed: reads of layers
    // above it end early, those below it are read to their end (their error would come first).
    std::atomic<std::size_t> first_failed = std::numeric_limits<std::size_t>::max();
};

// What reading one layer gives.
struct LayerRead {
    EntryList entries;
    std::map<std::string, Capture, std::less<>> captures;
    std::map<EntryRef, Candidate> candidates;
};

// Adds the bytes the reader produced since the last call to the image-wide total.
Result<void> count_uncompressed(Pass& pass, const LayerReader& reader, std::int64_t& counted) {
    const std::int64_t now = reader.uncompressed_bytes();
    const std::int64_t total = pass.uncompressed_total += now - counted;
    counted = now;
    if (total > pass.limits.max_uncompressed_bytes)
        return fail(ErrorCode::invalid_extension,
                    fmt::format("the layers expand to more than {} bytes: refusing a "
                                "decompression bomb (raise with --max-uncompressed-size)",
                                pass.limits.max_uncompressed_bytes));
    return {};
}

// Reads layer `index` to its end: its entries, the files to capture, and the regular files the
// filter wants written out as candidates. While `searching` (the layers read from the top down,
// one at a time), captures are passed on to the filter at once: none of the layers above can
// hide them. Once the layer matched its digest, its entries are handed to the source to keep.
Result<LayerRead> read_layer(Pass& pass, std::size_t index, bool searching,
                             std::vector<std::byte>& buffer) {
    const auto& descriptor = pass.manifest.layers[index];
    LayerRead read;
    // The image-wide cap: this layer may use what the others left so far; the total is checked
    // again after every entry (layers are read concurrently).
    Limits layer_limits = pass.limits;
    layer_limits.max_uncompressed_bytes =
        pass.limits.max_uncompressed_bytes - pass.uncompressed_total;
    OpenLayer layer;
    {
        const std::lock_guard lock(pass.source_mutex);
        DESKEXT_TRY_ASSIGN(layer,
                           open_layer(pass.source, descriptor, index, layer_limits, pass.progress));
    }
    LayerReader& reader = *layer.reader;
    std::int64_t counted = 0;
    for (std::size_t ordinal = 0;; ++ordinal) {
        if (index > pass.first_failed) return fail(ErrorCode::internal, std::string(k_stopped));
        DESKEXT_TRY_ASSIGN(std::optional<Entry> entry, reader.next());
        DESKEXT_TRY(count_uncompressed(pass, reader, counted));
        if (!entry) break;
        const EntryRef ref{index, ordinal};
        if (entry->type == EntryType::file) {
            if (pass.capture.contains(entry->path)) {
                DESKEXT_TRY_ASSIGN(Capture captured,
                                   capture_entry(reader, ref, pass.limits.max_metadata_bytes));
                if (searching && !captured.too_big)
                    pass.filter.captured(entry->path, captured.data);
                read.captures.insert_or_assign(entry->path, std::move(captured));
            } else if (pass.filter.wanted(entry->path)) {
                auto path = pass.candidate_dir / fmt::format("{}-{}", ref.layer, ref.ordinal);
                DESKEXT_TRY_ASSIGN(OutputFile out, OutputFile::create(path, 0600));
                DESKEXT_TRY_ASSIGN(auto hash, copy_entry_data(reader, {&out}, buffer));
                read.candidates.insert_or_assign(ref, Candidate{std::move(path), std::move(hash)});
            }
        }
        DESKEXT_TRY(pass.budget.spend(1, entry->path.size() + entry->link_target.size()));
        read.entries.push_back(*entry);
    }
    DESKEXT_TRY(reader.finish());
    DESKEXT_TRY(count_uncompressed(pass, reader, counted));
    {
        const std::lock_guard lock(pass.source_mutex);
        pass.source.keep_layer_entries(descriptor, read.entries);
    }
    return read;
}

// Reads the given layers on up to k_max_reader_threads threads, each layer whole on one
// thread, the largest first (so that a small one read last does not leave a
// thread idle while a large one is still arriving); results in the order of `indexes`. When a
// read fails, the reads of the layers above it stop early and those below it go on: the error
// reported is that of the lowest failed layer, always.
Result<std::vector<LayerRead>> read_concurrently(Pass& pass,
                                                 const std::vector<std::size_t>& indexes) {
    std::vector<std::size_t> order(indexes.size());  // positions in `indexes`, largest layer first
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return pass.manifest.layers[indexes[a]].size > pass.manifest.layers[indexes[b]].size;
    });
    std::vector<std::optional<Result<LayerRead>>> reads(indexes.size());
    parallel::for_each_index(order.size(), k_max_reader_threads, [&](std::size_t taken) {
        const std::size_t i = order[taken];
        const auto index = indexes[i];
        if (index > pass.first_failed) return;
        std::vector<std::byte> buffer;  // sized by copy_entry_data when a file is written
        reads[i] =
            in_context(read_layer(pass, index, false, buffer), index, pass.manifest.layers[index]);
        if (!*reads[i]) {
            auto first = pass.first_failed.load();
            while (index < first && !pass.first_failed.compare_exchange_weak(first, index)) {
            }
        }
    });
    for (std::size_t i = 0; i < indexes.size(); ++i)
        if (indexes[i] == pass.first_failed) return std::unexpected(std::move(*reads[i]).error());
    std::vector<LayerRead> done;
    done.reserve(indexes.size());
    for (auto& read : reads) done.push_back(std::move(**read));
    return done;
}

// Keeps the captures of a layer's read: a file of a higher layer wins over one below it,
// whatever the order the layers were read in.
void merge_captures(std::map<std::string, Capture, std::less<>>& into,
                    std::map<std::string, Capture, std::less<>>& from) {
    for (auto& [path, captured] : from) {
        auto [it, fresh] = into.try_emplace(path, std::move(captured));
        if (!fresh && it->second.ref.layer < captured.ref.layer) it->second = std::move(captured);
    }
}

// What the reads of an image gather on their way to the tree.
struct Gathered {
    Gathered(const std::vector<oci::Descriptor>& layers, EntryBudget& budget)
        : entries(layers, budget) {}
    std::map<std::string, Capture, std::less<>> captures;
    LayerEntries entries;
};

void gather(SinglePassResult& result, Gathered& gathered, std::size_t index, LayerRead& read) {
    merge_captures(gathered.captures, read.captures);
    result.candidates.merge(read.candidates);
    gathered.entries.keep(index, std::move(read.entries));
    result.read_order.push_back(index);
}

// Downwards from the top, one layer at a time, until every file to capture has been seen. A
// blob listed again lower down is not read again: its captures are hidden by the copy above.
// Returns the lowest layer read.
Result<std::size_t> search_from_top(Pass& pass, SinglePassResult& result, Gathered& gathered) {
    const auto& layers = pass.manifest.layers;
    const auto all_seen = [&] {
        for (const auto& path : pass.capture)
            if (!gathered.captures.contains(path)) return false;
        return true;
    };
    std::vector<std::byte> buffer;  // sized by copy_entry_data when a file is written
    std::size_t lowest = layers.size();
    while (lowest > 0) {
        --lowest;
        DESKEXT_TRY_ASSIGN(const bool known, gathered.entries.share(lowest));
        if (known) continue;
        DESKEXT_TRY_ASSIGN(
            auto read, in_context(read_layer(pass, lowest, true, buffer), lowest, layers[lowest]));
        gather(result, gathered, lowest, read);
        if (all_seen()) break;
    }
    return lowest;
}

// The layers below `lowest`, concurrently, each blob once (at its highest listing, whose
// entries win). A layer whose entries the source recorded is not read: should it hold a file
// the install needs, extract_entries reads it then.
Result<void> read_the_rest(Pass& pass, std::size_t lowest, SinglePassResult& result,
                           Gathered& gathered) {
    const auto& layers = pass.manifest.layers;
    std::vector<std::size_t> unread;
    for (std::size_t index = lowest; index-- > 0;) {
        DESKEXT_TRY_ASSIGN(const bool known, gathered.entries.share(index));
        if (known) continue;
        if (auto recorded = pass.source.layer_entries(layers[index])) {
            // Its captures are hidden by the one the search found above it.
            DESKEXT_TRY(gathered.entries.keep_recorded(index, std::move(*recorded)));
            continue;
        }
        gathered.entries.reading(index);
        unread.push_back(index);
    }
    std::reverse(unread.begin(), unread.end());  // bottom-up, as they are reported
    DESKEXT_TRY_ASSIGN(auto reads, read_concurrently(pass, unread));
    for (std::size_t i = 0; i < unread.size(); ++i) gather(result, gathered, unread[i], reads[i]);
    return gathered.entries.share_waiting();
}

}  // namespace

Result<SinglePassResult> read_layers_once(ImageSource& source, const oci::Manifest& manifest,
                                          const std::vector<std::string>& capture,
                                          CandidateFilter& filter,
                                          const std::filesystem::path& candidate_dir,
                                          const Limits& limits, const ProgressFn& progress) {
    DESKEXT_TRY(check_layer_count(manifest, limits));
    Pass pass{source,        {},     manifest, {capture.begin(), capture.end()}, filter,
              candidate_dir, limits, progress};
    SinglePassResult result;
    Gathered gathered(manifest.layers, pass.budget);
    DESKEXT_TRY_ASSIGN(const std::size_t lowest, search_from_top(pass, result, gathered));
    DESKEXT_TRY(read_the_rest(pass, lowest, result, gathered));
    // The tree, bottom-up.
    DESKEXT_TRY(gathered.entries.apply(result.scan.tree));
    DESKEXT_TRY_ASSIGN(result.scan.captured,
                       final_captures(result.scan.tree, gathered.captures, limits));
    return result;
}

namespace {

Result<void> copy_to_new_file(const std::filesystem::path& from, const Placement& to,
                              std::vector<std::byte>& buffer) {
    DESKEXT_TRY_ASSIGN(auto in, open_file_reader(from));
    DESKEXT_TRY_ASSIGN(OutputFile out, OutputFile::create(to.to, to.mode));
    while (true) {
        DESKEXT_TRY_ASSIGN(const std::size_t n, in->read(buffer));
        if (n == 0) break;
        DESKEXT_TRY(out.write(std::span(buffer).first(n)));
    }
    return out.close();
}

}  // namespace

Result<PlacedCandidates> place_candidates(const std::map<EntryRef, Candidate>& candidates,
                                          const std::vector<Placement>& placements) {
    PlacedCandidates result;
    std::map<EntryRef, const Placement*> placed;  // entry → its first destination
    std::set<std::filesystem::path> made;         // directories known to exist
    std::vector<std::byte> buffer;
    for (const Placement& placement : placements) {
        if (auto first = placed.find(placement.from); first != placed.end()) {
            if (buffer.empty()) buffer.resize(k_copy_buffer);
            DESKEXT_TRY(copy_to_new_file(first->second->to, placement, buffer));
            result.hashes.emplace(placement.to, result.hashes.at(first->second->to));
            continue;
        }
        auto candidate = candidates.find(placement.from);
        if (candidate == candidates.end()) {
            result.rest.push_back(placement);
            continue;
        }
        if (made.insert(placement.to.parent_path()).second)
            DESKEXT_TRY(platform::create_directories(placement.to.parent_path()));
        DESKEXT_TRY(platform::move_to_new_file(candidate->second.file, placement.to));
        DESKEXT_TRY(platform::set_mode(placement.to, placement.mode));
        result.hashes.emplace(placement.to, candidate->second.hash);
        placed.emplace(placement.from, &placement);
    }
    return result;
}

}  // namespace deskext::layer
