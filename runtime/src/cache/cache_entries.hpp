#pragma once
// The files of the blob cache, as cache_upkeep lists and prunes them: the entries of blobs/,
// index/ and manifests/, and the temporary files of writes that have not ended (or never will:
// their writer was killed).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "deskext/cache/cache_upkeep.hpp"

namespace deskext::cache {

struct EntryFile {
    EntryKind kind = EntryKind::blob;
    std::string digest;  // "sha256:<hex>"; empty for a temporary file
    std::filesystem::path path;
    std::int64_t size = 0;
    std::filesystem::file_time_type modified;
};

struct CacheFiles {
    std::vector<EntryFile> entries;    // oldest modification first
    std::vector<EntryFile> temporary;  // ".tmp-…" beside the entries
};

// Lists the cache's files; a file that vanishes meanwhile (another process pruned it or
// replaced it) is left out. Names that are neither entries nor temporary files are ignored.
[[nodiscard]] CacheFiles scan_cache(const std::filesystem::path& cache_dir);

// Removes one file; false when it could not be removed (it is gone already counts as removed).
[[nodiscard]] bool remove_entry_file(const EntryFile& file);

}  // namespace deskext::cache
