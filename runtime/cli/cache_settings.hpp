#pragma once
// The blob cache as the commands see it: where it is and how large it may grow, read from the
// environment here, and its upkeep around the commands that change what is installed
// (deskext/cache/cache_upkeep.hpp has the rule).

#include <cstdint>
#include <filesystem>
#include <optional>

#include "deskext/error.hpp"
#include "deskext/events/event_sink.hpp"

namespace deskext::cli {

struct CacheSettings {
    // $DESKEXT_CACHE_DIR, else the OS default; the error when neither can be named (no home
    // directory): only the commands that need the cache fail then.
    Result<std::filesystem::path> dir;
    std::int64_t max_bytes = 0;  // $DESKEXT_CACHE_MAX, else cache::default_max_bytes
};

// Usage error when DESKEXT_CACHE_MAX is not a size ("2G", "500M", "1073741824").
[[nodiscard]] Result<CacheSettings> cache_settings();

// Before an install or update into `root`: an existing cache learns the root, so that prunes run
// from other roots meanwhile keep what its extensions need. Best effort: a warning says why not.
// A cache that does not exist yet is left so (an offline install never makes one); the prune
// after the install registers the root.
void register_with_cache(const CacheSettings& cache, const std::filesystem::path& root,
                         EventSink& events);

// After an install, update or uninstall in `root` succeeded: registers the root and drops what
// no installed extension needs and what the cap leaves no room for. Skipped when another deskext
// is using the cache (a later command prunes); any other failure is a warning, never the
// command's.
void prune_after_change(const CacheSettings& cache, const std::filesystem::path& root,
                        EventSink& events);

}  // namespace deskext::cli
