#include <fmt/format.h>

#include <cstdint>
#include <string_view>

#include "cache_settings.hpp"
#include "commands.hpp"
#include "common_options.hpp"
#include "deskext/install/installer.hpp"
#include "deskext/platform/utf8.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::cli {
namespace {

// `mirrors`: the registry mirrors that served the image (ImageSource::mirrors_used).
nlohmann::json result_fields(const InstallOutcome& outcome, std::string_view command,
                             const std::vector<std::string>& mirrors) {
    const auto& s = outcome.state;
    return {{"command", command},
            {"name", s.name},
            {"directory", platform::utf8_of(outcome.directory)},
            {"version", s.version},
            {"manifest_digest", s.manifest_digest},
            {"platform", s.platform},
            {"image_platform", s.image_platform},
            {"binaries", s.binaries},
            {"unchanged", outcome.unchanged},
            {"mirrors", mirrors}};
}

std::string summary(const InstallOutcome& outcome, const std::vector<std::string>& mirrors) {
    const auto& s = outcome.state;
    std::string text = outcome.unchanged
                           ? fmt::format("{} {} is already installed ({}, {})\n", s.name, s.version,
                                         s.image_platform, s.manifest_digest)
                           : fmt::format("installed {} {} ({} for {}, {}) in {}\n", s.name,
                                         s.version, s.image_platform, s.platform, s.manifest_digest,
                                         platform::utf8_of(outcome.directory));
    for (const auto& binary : s.binaries) text += fmt::format("  {}\n", binary);
    for (const auto& mirror : mirrors) text += fmt::format("  pulled through mirror {}\n", mirror);
    return text;
}

// The caps on what layers may expand to and hold; defaults in deskext/limits.hpp.
Result<void> limit_options(const Args& args, Limits& limits) {
    if (auto size = args.value("max-uncompressed-size")) {
        DESKEXT_TRY_ASSIGN(limits.max_uncompressed_bytes,
                           parse_size("--max-uncompressed-size", *size));
    }
    if (auto ratio = args.value("max-ratio")) {
        DESKEXT_TRY_ASSIGN(limits.max_compression_ratio, parse_size("--max-ratio", *ratio));
    }
    if (auto entries = args.value("max-entries")) {
        DESKEXT_TRY_ASSIGN(const std::int64_t n, parse_size("--max-entries", *entries));
        limits.max_image_entries = static_cast<std::size_t>(n);
    }
    if (auto size = args.value("max-names-size")) {
        DESKEXT_TRY_ASSIGN(const std::int64_t n, parse_size("--max-names-size", *size));
        limits.max_name_bytes = static_cast<std::size_t>(n);
    }
    return {};
}

Result<nlohmann::json> install_or_update(const Args& args, Output& out, bool update) {
    DESKEXT_TRY(expect_positionals(args, 1, "SOURCE"));
    InstallOptions options;
    DESKEXT_TRY_ASSIGN(options.root, root_option(args));
    DESKEXT_TRY_ASSIGN(options.host, platform_option(args));
    options.name = args.value("name");
    options.allow_emulation = args.has("allow-emulation");
    options.force = args.has("force");
    options.strict = args.has("strict");
    options.require_installed = update;
    DESKEXT_TRY_ASSIGN(options.wait, wait_option(args));
    DESKEXT_TRY(limit_options(args, options.limits));

    DESKEXT_TRY_ASSIGN(const auto cache, cache_settings());

    DESKEXT_TRY_ASSIGN(auto sources, source_options(args));
    sources.limits = options.limits;
    DESKEXT_TRY_ASSIGN(auto source, open_source(args.positionals[0], sources));
    register_with_cache(cache, options.root, out.events());
    DESKEXT_TRY_ASSIGN(auto outcome, install_extension(*source, options, out.events()));
    const auto mirrors = source->mirrors_used();
    // A registry source holds the cache's lock shared until it goes; the prune needs it alone.
    source.reset();
    prune_after_change(cache, options.root, out.events());
    out.summary(summary(outcome, mirrors));
    return result_fields(outcome, update ? "update" : "install", mirrors);
}

}  // namespace

Result<nlohmann::json> run_install(const Args& args, Output& out) {
    return install_or_update(args, out, false);
}

Result<nlohmann::json> run_update(const Args& args, Output& out) {
    return install_or_update(args, out, true);
}

}  // namespace deskext::cli
