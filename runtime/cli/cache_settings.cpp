#include "cache_settings.hpp"

#include <system_error>

#include <fmt/format.h>

#include "common_options.hpp"
#include "deskext/cache/cache_upkeep.hpp"
#include "deskext/platform/paths.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::cli {

Result<CacheSettings> cache_settings() {
    CacheSettings settings{platform::cache_dir({}), cache::default_max_bytes};
    if (const auto text = platform::env_value("DESKEXT_CACHE_MAX")) {
        DESKEXT_TRY_ASSIGN(settings.max_bytes, parse_size("DESKEXT_CACHE_MAX", *text));
    }
    return settings;
}

void register_with_cache(const CacheSettings& cache, const std::filesystem::path& root,
                         EventSink& events) {
    std::error_code ec;
    if (!cache.dir || !std::filesystem::is_directory(*cache.dir, ec)) return;
    if (auto registered = cache::register_root(*cache.dir, root); !registered)
        events.emit("warning",
                    {{"message", fmt::format("the blob cache {} does not know the root {} yet, so "
                                             "a prune from another root may drop its blobs: {}",
                                             platform::utf8_of(*cache.dir),
                                             platform::utf8_of(root),
                                             registered.error().message)}});
}

void prune_after_change(const CacheSettings& cache, const std::filesystem::path& root,
                        EventSink& events) {
    if (!cache.dir) return;
    const auto pruned = cache::prune_cache(
        *cache.dir, {cache::PruneMode::unneeded, cache.max_bytes, platform::no_wait, root});
    if (pruned || pruned.error().code == ErrorCode::busy) return;
    events.emit("warning", {{"message", fmt::format("the blob cache {} was not pruned: {}",
                                                    platform::utf8_of(*cache.dir),
                                                    pruned.error().message)}});
}

}  // namespace deskext::cli
