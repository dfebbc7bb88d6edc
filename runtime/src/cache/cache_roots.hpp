#pragma once
// The extensions roots whose extensions the cache serves: <cache>/roots/<id>, one small file a
// root holding its path, written by register_root (cache_upkeep.hpp) when an install or update
// starts, under the cache's shared lock. A prune keeps what any of them needs.

#include <filesystem>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::cache {

// Registers `root` without taking the cache's lock: for a prune, which holds it exclusively.
// register_root (cache_upkeep.hpp) takes it shared around this.
[[nodiscard]] Result<void> write_root_record(const std::filesystem::path& cache_dir,
                                             const std::filesystem::path& root);

// The roots registered with the cache at `cache_dir`. A registered root that no longer exists is
// forgotten (its file removed): only call this under the cache's exclusive lock, where no
// install can be starting in it.
[[nodiscard]] std::vector<std::filesystem::path> registered_roots(
    const std::filesystem::path& cache_dir);

}  // namespace deskext::cache
