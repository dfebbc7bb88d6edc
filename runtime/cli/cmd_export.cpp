#include <fmt/format.h>

#include "commands.hpp"
#include "common_options.hpp"
#include "deskext/export/export_bundle.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::cli {
namespace {

std::string summary(const ExportOutcome& outcome, const std::string& output) {
    std::string text =
        fmt::format("wrote {}: {} image{}, {} blobs, {} bytes\n", output, outcome.images.size(),
                    outcome.images.size() == 1 ? "" : "s", outcome.blobs, outcome.bytes);
    for (const auto& image : outcome.images) {
        std::string platforms;
        for (const auto& p : image.platforms) platforms += (platforms.empty() ? "" : ", ") + p;
        text += fmt::format("  {} ({}) {}\n", image.ref_name, platforms, image.digest.str());
    }
    return text;
}

}  // namespace

Result<nlohmann::json> run_export(const Args& args, Output& out) {
    if (args.positionals.empty())
        return fail(ErrorCode::usage,
                    "export needs at least one SOURCE; see deskext export --help");
    const auto output = args.value("output");
    if (!output || output->empty())
        return fail(ErrorCode::usage, "export needs --output FILE, the bundle to write");
    ExportOptions options;
    options.sources = args.positionals;
    options.output = platform::path_from_utf8(*output);
    DESKEXT_TRY_ASSIGN(options.hosts, platforms_option(args));
    DESKEXT_TRY_ASSIGN(options.source_options, source_options(args));
    DESKEXT_TRY_ASSIGN(auto outcome, export_bundle(options, out.events()));

    out.summary(summary(outcome, *output));
    nlohmann::json images = nlohmann::json::array();
    for (const auto& image : outcome.images)
        images.push_back({{"ref_name", image.ref_name},
                          {"image_name", image.image_name},
                          {"digest", image.digest.str()},
                          {"platforms", image.platforms}});
    return nlohmann::json{{"command", "export"},
                          {"output", *output},
                          {"images", std::move(images)},
                          {"blobs", outcome.blobs},
                          {"bytes", outcome.bytes}};
}

}  // namespace deskext::cli
