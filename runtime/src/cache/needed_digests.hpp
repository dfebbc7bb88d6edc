#pragma once
// What the extensions installed in some roots need the blob cache to keep for an update to fetch
// only what changed (the rule of cache_upkeep.hpp), read from their state records and from the
// manifests the cache holds.

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace deskext::cache {

struct NeededDigests {
    std::set<std::string> digests;  // "sha256:<hex>": blobs (and their layer indexes), manifests
    // False when a root could not be listed: what its extensions need is unknown.
    bool complete = true;
};

[[nodiscard]] NeededDigests needed_digests(const std::filesystem::path& cache_dir,
                                           const std::vector<std::filesystem::path>& roots);

}  // namespace deskext::cache
