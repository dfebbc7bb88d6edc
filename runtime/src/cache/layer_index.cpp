#include "cache/layer_index.hpp"

#include <array>
#include <system_error>

#include <nlohmann/json.hpp>

#include "cache/unflushed_entry.hpp"

namespace deskext::cache {
namespace {

constexpr int k_format = 1;
constexpr std::array<std::string_view, 5> k_types{"file", "dir", "symlink", "hardlink", "other"};

Result<std::filesystem::path> index_path(const BlobCache& cache, const Digest& layer) {
    DESKEXT_TRY_ASSIGN(const auto blob, cache.path_of(layer));
    return cache.dir() / "index" / "sha256" / blob.filename();
}

std::optional<layer::EntryType> type_named(std::string_view name) {
    for (std::size_t i = 0; i < k_types.size(); ++i)
        if (k_types[i] == name) return static_cast<layer::EntryType>(i);
    return std::nullopt;
}

std::optional<std::vector<layer::Entry>> parse(const std::string& text, const Digest& layer,
                                               const Limits& limits) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("format", 0) != k_format ||
        doc.value("layer", "") != layer.str() || !doc.contains("entries") ||
        !doc["entries"].is_array() || doc["entries"].size() > limits.max_entries_per_layer)
        return std::nullopt;
    std::vector<layer::Entry> entries;
    entries.reserve(doc["entries"].size());
    for (const auto& item : doc["entries"]) {
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
        entries.push_back(std::move(entry));
    }
    return entries;
}

}  // namespace

std::optional<std::vector<layer::Entry>> read_layer_index(const BlobCache& cache,
                                                          const Digest& layer,
                                                          const Limits& limits) {
    auto path = index_path(cache, layer);
    if (!path) return std::nullopt;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(*path, ec)))
        return std::nullopt;
    // Generous: a path, a link target and a few numbers per entry.
    const std::size_t cap = limits.max_entries_per_layer * 256;
    std::optional<std::vector<layer::Entry>> entries;
    if (auto reader = open_file_reader(*path)) {
        if (auto text = read_all(**reader, cap)) entries = parse(*text, layer, limits);
    }
    // Damaged or foreign: drop it, the layer is read instead (and the index written again).
    if (!entries) std::filesystem::remove(*path, ec);
    return entries;
}

Result<void> write_layer_index(const BlobCache& cache, const Digest& layer,
                               const std::vector<layer::Entry>& entries) {
    DESKEXT_TRY_ASSIGN(const auto path, index_path(cache, layer));
    nlohmann::json list = nlohmann::json::array();
    for (const auto& entry : entries)
        list.push_back({entry.path, k_types.at(static_cast<std::size_t>(entry.type)), entry.mode,
                        entry.size, entry.link_target});
    const nlohmann::json doc = {{"format", k_format}, {"layer", layer.str()}, {"entries", list}};
    std::string text;
    try {
        text = doc.dump();
    } catch (const nlohmann::json::type_error&) {
        // A name that is not UTF-8 cannot be written as JSON, and a replaced one would be
        // another name: such a layer goes unindexed and is read whole each time.
        return {};
    }
    // An index cut short by a crash is not valid JSON (or names no layer): read_layer_index
    // drops it and the layer is read again.
    return write_unflushed_entry(path, text);
}

}  // namespace deskext::cache
