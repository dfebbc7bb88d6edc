#include "cache/cache_entries.hpp"

#include <algorithm>
#include <array>
#include <system_error>

#include "deskext/platform/directory.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::cache {
namespace {

struct KindDir {
    EntryKind kind;
    std::string_view dir;
};
constexpr std::array<KindDir, 3> kind_dirs{{{EntryKind::blob, "blobs"},
                                            {EntryKind::layer_index, "index"},
                                            {EntryKind::manifest, "manifests"}}};

bool is_hex_digest(std::string_view name) {
    return name.size() == 64 && std::all_of(name.begin(), name.end(), [](char c) {
               return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
           });
}

void scan_dir(const std::filesystem::path& dir, EntryKind kind, CacheFiles& files) {
    auto listed = platform::list_directory(dir);
    if (!listed) return;
    for (const auto& item : *listed) {
        if (item.type != platform::EntryType::file) continue;
        const auto name = platform::utf8_of(item.name);
        const bool temporary = name.starts_with(".tmp-");
        if (!temporary && !is_hex_digest(name)) continue;
        EntryFile file{kind, temporary ? "" : "sha256:" + name, dir / item.name, 0, {}};
        std::error_code ec;
        file.size = static_cast<std::int64_t>(std::filesystem::file_size(file.path, ec));
        if (ec) continue;
        file.modified = std::filesystem::last_write_time(file.path, ec);
        if (ec) continue;
        (temporary ? files.temporary : files.entries).push_back(std::move(file));
    }
}

}  // namespace

CacheFiles scan_cache(const std::filesystem::path& cache_dir) {
    CacheFiles files;
    for (const auto& [kind, dir] : kind_dirs) scan_dir(cache_dir / dir / "sha256", kind, files);
    std::stable_sort(files.entries.begin(), files.entries.end(),
                     [](const auto& a, const auto& b) { return a.modified < b.modified; });
    return files;
}

bool remove_entry_file(const EntryFile& file) {
    std::error_code ec;
    std::filesystem::remove(file.path, ec);
    return !ec;
}

}  // namespace deskext::cache
