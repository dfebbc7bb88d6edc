#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <limits>
#include <string_view>

#include "commands.hpp"
#include "common_options.hpp"
#include "deskext/install/installer.hpp"
#include "deskext/platform/utf8.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::cli {
namespace {

nlohmann::json result_fields(const InstallOutcome& outcome, std::string_view command) {
    const auto& s = outcome.state;
    return {{"command", command},
            {"name", s.name},
            {"directory", platform::utf8_of(outcome.directory)},
            {"version", s.version},
            {"manifest_digest", s.manifest_digest},
            {"platform", s.platform},
            {"image_platform", s.image_platform},
            {"binaries", s.binaries},
            {"unchanged", outcome.unchanged}};
}

std::string summary(const InstallOutcome& outcome) {
    const auto& s = outcome.state;
    std::string text = outcome.unchanged
                           ? fmt::format("{} {} is already installed ({}, {})\n", s.name, s.version,
                                         s.image_platform, s.manifest_digest)
                           : fmt::format("installed {} {} ({} for {}, {}) in {}\n", s.name,
                                         s.version, s.image_platform, s.platform, s.manifest_digest,
                                         platform::utf8_of(outcome.directory));
    for (const auto& binary : s.binaries) text += fmt::format("  {}\n", binary);
    return text;
}

// "--max-uncompressed-size 80G", "--max-entries 2M": a count with an optional binary suffix (K,
// M, G, T).
Result<std::int64_t> parse_size(std::string_view option, const std::string& text) {
    constexpr std::array<std::pair<std::string_view, int>, 5> suffixes{
        {{"", 0}, {"K", 10}, {"M", 20}, {"G", 30}, {"T", 40}}};
    const std::size_t digits = text.find_first_not_of("0123456789");
    const std::string_view number = std::string_view(text).substr(0, digits);
    const std::string_view suffix =
        digits == std::string::npos ? std::string_view{} : std::string_view(text).substr(digits);
    std::int64_t value = -1;
    for (const auto& [name, shift] : suffixes) {
        if (suffix != name || number.empty() || number.size() > 18) continue;
        const std::int64_t n = std::stoll(std::string(number));
        if (n <= (std::numeric_limits<std::int64_t>::max() >> shift)) value = n << shift;
    }
    if (value < 0)
        return fail(ErrorCode::usage,
                    fmt::format("--{} {}: expected a number, optionally followed by K, M, G or T "
                                "(binary multiples)",
                                option, text));
    return value;
}

// The caps on what layers may expand to and hold; defaults in deskext/limits.hpp.
Result<void> limit_options(const Args& args, Limits& limits) {
    if (auto size = args.value("max-uncompressed-size")) {
        DESKEXT_TRY_ASSIGN(limits.max_uncompressed_bytes,
                           parse_size("max-uncompressed-size", *size));
    }
    if (auto ratio = args.value("max-ratio")) {
        DESKEXT_TRY_ASSIGN(limits.max_compression_ratio, parse_size("max-ratio", *ratio));
    }
    if (auto entries = args.value("max-entries")) {
        DESKEXT_TRY_ASSIGN(const std::int64_t n, parse_size("max-entries", *entries));
        limits.max_image_entries = static_cast<std::size_t>(n);
    }
    if (auto size = args.value("max-names-size")) {
        DESKEXT_TRY_ASSIGN(const std::int64_t n, parse_size("max-names-size", *size));
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

    DESKEXT_TRY_ASSIGN(auto sources, source_options(args));
    sources.limits = options.limits;
    DESKEXT_TRY_ASSIGN(auto source, open_source(args.positionals[0], sources));
    DESKEXT_TRY_ASSIGN(auto outcome, install_extension(*source, options, out.events()));
    out.summary(summary(outcome));
    return result_fields(outcome, update ? "update" : "install");
}

}  // namespace

Result<nlohmann::json> run_install(const Args& args, Output& out) {
    return install_or_update(args, out, false);
}

Result<nlohmann::json> run_update(const Args& args, Output& out) {
    return install_or_update(args, out, true);
}

}  // namespace deskext::cli
