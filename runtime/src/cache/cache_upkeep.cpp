#include "deskext/cache/cache_upkeep.hpp"

#include <system_error>

#include "cache/cache_entries.hpp"
#include "cache/cache_lock.hpp"
#include "cache/cache_roots.hpp"
#include "cache/needed_digests.hpp"

namespace deskext::cache {
namespace {

bool cache_exists(const std::filesystem::path& cache_dir) {
    std::error_code ec;
    return std::filesystem::is_directory(cache_dir, ec);
}

// Which entries a prune keeps: with `unneeded`, those a registered root needs (all of them when
// a root could not be read), then, past the cap, the most recently used that fit.
std::vector<bool> kept_entries(const std::filesystem::path& cache_dir,
                               const std::vector<EntryFile>& entries, const PruneOptions& options) {
    std::vector<bool> keep(entries.size(), options.mode == PruneMode::unneeded);
    if (options.mode == PruneMode::all) return keep;
    const auto needed = needed_digests(cache_dir, registered_roots(cache_dir));
    std::int64_t total = 0;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (needed.complete) keep[i] = needed.digests.contains(entries[i].digest);
        if (keep[i]) total += entries[i].size;
    }
    // Entries are listed least recently used first.
    for (std::size_t i = 0; i < entries.size() && total > options.max_bytes; ++i) {
        if (!keep[i]) continue;
        keep[i] = false;
        total -= entries[i].size;
    }
    return keep;
}

void count_removal(const EntryFile& file, PruneOutcome& outcome) {
    if (remove_entry_file(file)) {
        ++outcome.removed;
        outcome.freed += file.size;
    } else {
        ++outcome.kept;
        outcome.kept_bytes += file.size;
    }
}

}  // namespace

std::string_view to_string(EntryKind kind) {
    switch (kind) {
        case EntryKind::blob: return "blob";
        case EntryKind::layer_index: return "index";
        case EntryKind::manifest: return "manifest";
    }
    return "blob";
}

Result<std::vector<CachedEntry>> list_cache(const std::filesystem::path& cache_dir,
                                            const std::filesystem::path& root) {
    std::vector<CachedEntry> listed;
    if (!cache_exists(cache_dir)) return listed;
    const auto files = scan_cache(cache_dir);
    const auto needed = needed_digests(cache_dir, {root});
    for (const auto& file : files.entries) {
        const auto used = std::chrono::file_clock::to_sys(file.modified);
        listed.push_back({file.kind, file.digest, file.size,
                          std::chrono::time_point_cast<std::chrono::system_clock::duration>(used),
                          needed.digests.contains(file.digest)});
    }
    return listed;
}

Result<PruneOutcome> prune_cache(const std::filesystem::path& cache_dir,
                                 const PruneOptions& options) {
    PruneOutcome outcome;
    if (!cache_exists(cache_dir)) return outcome;
    DESKEXT_TRY_ASSIGN(const auto lock,
                       platform::FileLock::acquire(lock_path(cache_dir),
                                                   platform::LockMode::exclusive, options.wait));
    std::error_code ec;
    if (!options.root.empty() && std::filesystem::is_directory(options.root, ec))
        DESKEXT_TRY(write_root_record(cache_dir, options.root));
    const auto files = scan_cache(cache_dir);
    // Nobody writes while the lock is held exclusively: these were left by killed downloads.
    for (const auto& file : files.temporary) count_removal(file, outcome);
    const auto keep = kept_entries(cache_dir, files.entries, options);
    for (std::size_t i = 0; i < files.entries.size(); ++i) {
        if (!keep[i]) {
            count_removal(files.entries[i], outcome);
            continue;
        }
        ++outcome.kept;
        outcome.kept_bytes += files.entries[i].size;
    }
    return outcome;
}

}  // namespace deskext::cache
