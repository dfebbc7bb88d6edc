#include "deskext/install/resolve_image.hpp"

#include <fmt/format.h>

#include "deskext/oci/media_types.hpp"
#include "deskext/oci/platform_match.hpp"
#include "deskext/source/documents.hpp"

namespace deskext {
namespace {

// A single-platform image: its config says which platform it is.
Result<ResolvedImage> resolve_single(ImageSource& source, const Document& document,
                                     const platform::Platform& wanted, bool allow_emulation,
                                     const Limits& limits, EventSink& events) {
    DESKEXT_TRY_ASSIGN(auto manifest, parse_manifest_document(document, limits));
    DESKEXT_TRY_ASSIGN(auto config, read_image_config(source, manifest, limits));
    ResolvedImage image{std::nullopt, document.digest, std::move(manifest), std::move(config), {},
                        false};
    image.image_platform = image.config.platform;
    if (image.image_platform == wanted) return image;
    auto amd64 = platform::make_platform("linux", "amd64");
    if (allow_emulation && wanted.arch == "arm64" && image.image_platform == amd64) {
        image.emulated = true;
        events.emit("warning", {{"message",
                                 "the image has no linux/arm64 variant: installing "
                                 "linux/amd64 to run under emulation"}});
        return image;
    }
    return fail(
        ErrorCode::no_matching_platform,
        fmt::format("the image is {} only; this host needs {}",
                    platform::to_string(image.image_platform), platform::to_string(wanted)));
}

}  // namespace

platform::Platform image_platform_for(const platform::Platform& host) {
    return platform::make_platform("linux", host.arch, host.variant);
}

Result<ResolvedImage> resolve_image(ImageSource& source, const platform::Platform& host,
                                    bool allow_emulation, const Limits& limits, EventSink& events) {
    const auto wanted = image_platform_for(host);
    DESKEXT_TRY_ASSIGN(auto top, source.resolve());
    if (!media_type::is_index(top.media_type))
        return resolve_single(source, top, wanted, allow_emulation, limits, events);

    auto parsed_index = oci::parse_index(top.bytes, top.media_type, limits);
    if (!parsed_index)
        return std::unexpected(
            std::move(parsed_index).error().context("index " + top.digest.str()));
    auto& index = *parsed_index;
    auto chosen = oci::select_manifest(index, wanted);
    bool emulated = false;
    if (!chosen && chosen.error().code == ErrorCode::no_matching_platform && allow_emulation &&
        wanted.arch == "arm64") {
        auto fallback = oci::select_manifest(index, platform::make_platform("linux", "amd64"));
        if (fallback) {
            events.emit("warning", {{"message",
                                     "the image has no linux/arm64 variant: installing "
                                     "linux/amd64 to run under emulation"}});
            chosen = std::move(fallback);
            emulated = true;
        }
    }
    if (!chosen) return std::unexpected(chosen.error());

    auto fetched = source.fetch_manifest(*chosen);
    if (!fetched)
        return std::unexpected(
            std::move(fetched).error().context("index entry " + chosen->digest.str()));
    auto& document = *fetched;
    if (!media_type::is_manifest(document.media_type))
        return fail(ErrorCode::invalid_extension,
                    fmt::format("index entry {} is a {}, not an image manifest",
                                chosen->digest.str(), document.media_type));
    DESKEXT_TRY_ASSIGN(auto manifest, parse_manifest_document(document, limits));
    DESKEXT_TRY_ASSIGN(auto config, read_image_config(source, manifest, limits));

    // The index promised a platform; a config that says otherwise is a lying image.
    const auto& promised = *chosen->platform;
    if (config.platform.os != promised.os || config.platform.arch != promised.arch)
        return fail(
            ErrorCode::invalid_extension,
            fmt::format("manifest {} is listed as {} but its config says {}", chosen->digest.str(),
                        platform::to_string(promised), platform::to_string(config.platform)));
    return ResolvedImage{top.digest,        document.digest, std::move(manifest),
                         std::move(config), promised,        emulated};
}

}  // namespace deskext
