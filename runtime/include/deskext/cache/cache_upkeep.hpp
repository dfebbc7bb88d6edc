#pragma once
// What the blob cache holds and what it may drop (docs/registry.md, "Blob cache"). The cache is
// per user and shared by every extensions root deskext works in, so what an installed extension
// needs is gathered from every root that registered itself with the cache. An entry counts as
// needed when an installed extension's state record names it: the config and layers of the
// manifest it installed (and their layer indexes), that manifest and its index, the manifests of
// the variants its emulated binaries came from and their blobs. That is exactly what an update
// needs in order to fetch only the layers that changed.
//
// Locking: every process that reads or writes the cache holds <cache>/lock shared for as long
// as it does; pruning takes it exclusively, so an entry is never removed while an install in
// progress may still open it, nor a temporary file of a download still running.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/error.hpp"
#include "deskext/platform/file_lock.hpp"

namespace deskext::cache {

// The default of DESKEXT_CACHE_MAX: the most bytes the cache keeps (2 GiB).
inline constexpr std::int64_t default_max_bytes = std::int64_t{2} << 30;

enum class EntryKind {
    blob,         // blobs/sha256/<hex>: a layer or a config
    layer_index,  // index/sha256/<hex>: the entry headers of a layer read whole
    manifest,     // manifests/sha256/<hex>: a manifest or an index fetched by digest
};
[[nodiscard]] std::string_view to_string(EntryKind kind);

struct CachedEntry {
    EntryKind kind = EntryKind::blob;
    std::string digest;  // "sha256:<hex>"
    std::int64_t size = 0;
    std::chrono::system_clock::time_point last_used;  // written, or last read by an install
    bool needed = false;  // named by an installed extension (of the roots asked about)
};

// Records that `root` keeps extensions whose blobs live in the cache at `cache_dir`, so that a
// prune run from another root keeps them too. A root that no longer exists is forgotten by the
// next prune.
[[nodiscard]] Result<void> register_root(const std::filesystem::path& cache_dir,
                                         const std::filesystem::path& root);

// Every entry of the cache, oldest use first; `needed` says whether an extension installed in
// `root` names it. An absent cache holds nothing.
[[nodiscard]] Result<std::vector<CachedEntry>> list_cache(const std::filesystem::path& cache_dir,
                                                          const std::filesystem::path& root);

enum class PruneMode {
    unneeded,  // what no registered root needs, then the least recently used past the cap
    all,       // everything
};

struct PruneOptions {
    PruneMode mode = PruneMode::unneeded;
    std::int64_t max_bytes = default_max_bytes;
    // How long to wait for the processes reading the cache (busy after that).
    platform::LockWait wait = platform::no_wait;
    // A root to register first, under the prune's lock (the root just installed into), when it
    // exists.
    std::filesystem::path root = {};
};

struct PruneOutcome {
    std::size_t removed = 0;  // entries, temporary files left by killed downloads included
    std::int64_t freed = 0;   // bytes
    std::size_t kept = 0;     // entries
    std::int64_t kept_bytes = 0;
};

// Removes, under the cache's exclusive lock, what `options.mode` says; busy while another
// process reads the cache. An absent cache is left absent.
[[nodiscard]] Result<PruneOutcome> prune_cache(const std::filesystem::path& cache_dir,
                                               const PruneOptions& options);

}  // namespace deskext::cache
