#pragma once
// The lock that keeps a prune from removing what another process is using (cache_upkeep.hpp):
// <cache>/lock, held shared by every process that reads or writes the cache (BlobCache holds it
// from open() on), exclusive by a prune.

#include <chrono>
#include <filesystem>

#include "deskext/platform/file_lock.hpp"

namespace deskext::cache {

// How long a reader waits for a prune to end. A prune only lists and removes files; it is never
// this long but on a cache that is unreachable, which then fails the command as busy.
inline constexpr std::chrono::seconds reader_lock_wait{30};

[[nodiscard]] inline std::filesystem::path lock_path(const std::filesystem::path& cache_dir) {
    return cache_dir / "lock";
}

}  // namespace deskext::cache
