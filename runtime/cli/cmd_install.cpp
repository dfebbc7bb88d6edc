#include <fmt/format.h>

#include "commands.hpp"
#include "common_options.hpp"
#include "deskext/install/installer.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::cli {
namespace {

nlohmann::json result_fields(const InstallOutcome& outcome, std::string_view command) {
    const auto& s = outcome.state;
    return {{"command", command},
            {"name", s.name},
            {"directory", outcome.directory.string()},
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
                                         outcome.directory.string());
    for (const auto& binary : s.binaries) text += fmt::format("  {}\n", binary);
    return text;
}

Result<nlohmann::json> install_or_update(const Args& args, Output& out, bool update) {
    DESKEXT_TRY(expect_positionals(args, 1, "SOURCE"));
    InstallOptions options;
    DESKEXT_TRY_ASSIGN(options.root, root_option(args));
    DESKEXT_TRY_ASSIGN(options.host, platform_option(args));
    options.name = args.value("name");
    options.source_text = args.positionals[0];
    options.allow_emulation = args.has("allow-emulation");
    options.force = args.has("force");
    options.require_installed = update;

    SourceOptions source_options;
    source_options.limits = options.limits;
    DESKEXT_TRY_ASSIGN(auto source, open_source(options.source_text, source_options));
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
