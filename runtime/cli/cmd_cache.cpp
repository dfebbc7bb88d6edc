#include <fmt/chrono.h>
#include <fmt/format.h>

#include "cache_settings.hpp"
#include "commands.hpp"
#include "common_options.hpp"
#include "deskext/cache/cache_upkeep.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::cli {
namespace {

std::string rfc3339(std::chrono::system_clock::time_point time) {
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}",
                       fmt::gmtime(std::chrono::system_clock::to_time_t(time)));
}

std::string mebibytes(std::int64_t bytes) {
    return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1 << 20));
}

Result<nlohmann::json> cache_ls(const Args& args, const std::filesystem::path& dir,
                                Output& out) {
    if (args.has("all") || args.has("wait"))
        return fail(ErrorCode::usage, "cache ls takes --root and --json only");
    DESKEXT_TRY_ASSIGN(const auto root, root_option(args));
    DESKEXT_TRY_ASSIGN(const auto listed, cache::list_cache(dir, root));
    nlohmann::json entries = nlohmann::json::array();
    std::int64_t total = 0;
    std::string table = fmt::format("{:<9} {:<71} {:>12} {:<20} {}\n", "KIND", "DIGEST", "SIZE",
                                    "LAST USED", "USED");
    for (const auto& entry : listed) {
        const auto kind = cache::to_string(entry.kind);
        const auto used = rfc3339(entry.last_used);
        entries.push_back({{"kind", kind},
                           {"digest", entry.digest},
                           {"size", entry.size},
                           {"last_used", used},
                           {"used", entry.needed}});
        total += entry.size;
        table += fmt::format("{:<9} {:<71} {:>12} {:<20} {}\n", kind, entry.digest, entry.size,
                             used, entry.needed ? "yes" : "no");
    }
    table += fmt::format("{} entries, {} bytes ({}) in {}\n", listed.size(), total,
                         mebibytes(total), platform::utf8_of(dir));
    out.summary(table);
    return nlohmann::json{{"command", "cache"},
                          {"action", "ls"},
                          {"cache", platform::utf8_of(dir)},
                          {"root", platform::utf8_of(root)},
                          {"entries", std::move(entries)},
                          {"count", listed.size()},
                          {"bytes", total}};
}

Result<nlohmann::json> cache_prune(const Args& args, const CacheSettings& cache,
                                   const std::filesystem::path& dir, Output& out) {
    DESKEXT_TRY_ASSIGN(const auto root, root_option(args));
    DESKEXT_TRY_ASSIGN(const auto wait, wait_option(args));
    const bool all = args.has("all");
    // The root asked about is one whose extensions the prune keeps, even when no install
    // registered it with the cache yet (it was installed by an older deskext).
    const auto mode = all ? cache::PruneMode::all : cache::PruneMode::unneeded;
    auto pruned = cache::prune_cache(dir, {mode, cache.max_bytes, wait, root});
    if (!pruned && pruned.error().code == ErrorCode::busy)
        return std::unexpected(std::move(pruned).error().context(
            "the blob cache is in use by another deskext (pass --wait to wait for it)"));
    DESKEXT_TRY(pruned);
    out.summary(fmt::format("removed {} entries, {} bytes ({}); {} entries, {} bytes ({}) kept in "
                            "{}\n",
                            pruned->removed, pruned->freed, mebibytes(pruned->freed),
                            pruned->kept, pruned->kept_bytes, mebibytes(pruned->kept_bytes),
                            platform::utf8_of(dir)));
    return nlohmann::json{{"command", "cache"},
                          {"action", "prune"},
                          {"cache", platform::utf8_of(dir)},
                          {"all", all},
                          {"removed", pruned->removed},
                          {"freed", pruned->freed},
                          {"kept", pruned->kept},
                          {"bytes", pruned->kept_bytes}};
}

}  // namespace

Result<nlohmann::json> run_cache(const Args& args, Output& out) {
    DESKEXT_TRY(expect_positionals(args, 1, "ls or prune"));
    DESKEXT_TRY_ASSIGN(const auto cache, cache_settings());
    DESKEXT_TRY_ASSIGN(const auto dir, cache.dir);
    const auto& action = args.positionals[0];
    if (action == "ls") return cache_ls(args, dir, out);
    if (action == "prune") return cache_prune(args, cache, dir, out);
    return fail(ErrorCode::usage,
                fmt::format("cache {}: expected cache ls or cache prune", action));
}

}  // namespace deskext::cli
