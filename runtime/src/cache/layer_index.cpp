#include "cache/layer_index.hpp"

#include <array>
#include <system_error>

#include <nlohmann/json.hpp>

#include "cache/last_use.hpp"
#include "cache/unflushed_entry.hpp"

namespace deskext::cache {
namespace {

// One JSON line naming the format and the layer, then one JSON array a line per entry:
// [path, type, mode, size, link target]. Read a line at a time, so that reading an index costs
// what the entries cost, not a document tree of them.
constexpr int k_format = 2;
constexpr std::array<std::string_view, 5> k_types{"file", "dir", "symlink", "hardlink", "other"};
constexpr std::size_t k_read_chunk = 64u << 10;

Result<std::filesystem::path> index_path(const BlobCache& cache, const Digest& layer) {
    DESKEXT_TRY_ASSIGN(const auto blob, cache.path_of(layer));
    return cache.dir() / "index" / "sha256" / blob.filename();
}

std::optional<layer::EntryType> type_named(std::string_view name) {
    for (std::size_t i = 0; i < k_types.size(); ++i)
        if (k_types[i] == name) return static_cast<layer::EntryType>(i);
    return std::nullopt;
}

std::string header_line(const Digest& layer) {
    return nlohmann::json{{"format", k_format}, {"layer", layer.str()}}.dump() + '\n';
}

std::optional<layer::Entry> parse_entry(std::string_view line, const Limits& limits) {
    const auto item = nlohmann::json::parse(line, nullptr, false);
    if (!item.is_array() || item.size() != 5 || !item[0].is_string() || !item[1].is_string() ||
        !item[2].is_number_unsigned() || !item[3].is_number_integer() || !item[4].is_string())
        return std::nullopt;
    const auto type = type_named(item[1].get<std::string>());
    if (!type) return std::nullopt;
    layer::Entry entry;
    entry.path = item[0].get<std::string>();
    entry.type = *type;
    entry.mode = item[2].get<std::uint32_t>() & 07777u;
    entry.size = item[3].get<std::int64_t>();
    entry.link_target = item[4].get<std::string>();
    if (entry.path.size() > limits.max_path_bytes ||
        entry.link_target.size() > limits.max_path_bytes || entry.size < 0)
        return std::nullopt;
    return entry;
}

// The entries of an index file, or nullopt when it is damaged, foreign or over the caps.
std::optional<layer::EntryList> parse(Reader& reader, const Digest& layer, const Limits& limits) {
    // A line holds a path, a link target (each escaped: at most six bytes a byte) and numbers.
    const std::size_t max_line = 12 * limits.max_path_bytes + 256;
    const std::string header = header_line(layer);
    layer::EntryList entries;
    std::string pending;
    std::string chunk(k_read_chunk, '\0');
    bool header_seen = false;
    while (true) {
        auto n = reader.read(std::as_writable_bytes(std::span(chunk)));
        if (!n) return std::nullopt;
        if (*n == 0) break;
        pending.append(chunk, 0, *n);
        std::size_t start = 0;
        for (std::size_t end; (end = pending.find('\n', start)) != std::string::npos;
             start = end + 1) {
            const std::string_view line(pending.data() + start, end - start);
            if (!header_seen) {
                if (std::string_view(pending).substr(start, end + 1 - start) != header)
                    return std::nullopt;
                header_seen = true;
                continue;
            }
            auto entry = parse_entry(line, limits);
            if (!entry || entries.size() == limits.max_entries_per_layer) return std::nullopt;
            entries.push_back(*entry);
        }
        pending.erase(0, start);
        if (pending.size() > max_line) return std::nullopt;
    }
    // Cut short by a crash: the last line lacks its newline.
    if (!header_seen || !pending.empty()) return std::nullopt;
    return entries;
}

}  // namespace

std::optional<layer::EntryList> read_layer_index(const BlobCache& cache, const Digest& layer,
                                                 const Limits& limits) {
    auto path = index_path(cache, layer);
    if (!path) return std::nullopt;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(*path, ec)))
        return std::nullopt;
    std::optional<layer::EntryList> entries;
    if (auto reader = open_file_reader(*path)) entries = parse(**reader, layer, limits);
    // Damaged or foreign: drop it, the layer is read instead (and the index written again).
    if (!entries)
        std::filesystem::remove(*path, ec);
    else
        mark_used(*path);
    return entries;
}

Result<void> write_layer_index(const BlobCache& cache, const Digest& layer,
                               const layer::EntryList& entries) {
    DESKEXT_TRY_ASSIGN(const auto path, index_path(cache, layer));
    std::string text = header_line(layer);
    try {
        layer::Entry entry;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            entries.copy_to(i, entry);
            text += nlohmann::json{entry.path, k_types.at(static_cast<std::size_t>(entry.type)),
                                   entry.mode, entry.size, entry.link_target}
                        .dump();
            text += '\n';
        }
    } catch (const nlohmann::json::type_error&) {
        // A name that is not UTF-8 cannot be written as JSON, and a replaced one would be
        // another name: such a layer goes unindexed and is read whole each time.
        return {};
    }
    // An index cut short by a crash lacks its last newline (or names no layer): read_layer_index
    // drops it and the layer is read again.
    return write_unflushed_entry(path, text);
}

}  // namespace deskext::cache
