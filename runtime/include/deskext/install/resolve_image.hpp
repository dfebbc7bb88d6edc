#pragma once
// From a source to the one manifest a host gets: resolve the tag, pick linux/<host arch> from an
// index (or check a single manifest's config), read the config.

#include <optional>
#include <string>
#include <vector>

#include "deskext/events/event_sink.hpp"
#include "deskext/oci/models.hpp"
#include "deskext/platform/platform.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext {

struct ResolvedImage {
    std::optional<Digest> index_digest;  // when the source resolved to an index
    Digest manifest_digest;
    oci::Manifest manifest;
    oci::ImageConfig config;
    platform::Platform image_platform;  // linux/<arch> actually selected
    bool emulated = false;              // amd64 variant chosen for an arm64 host
};

// Extension images are always linux/<arch>; the host's arch picks the variant. With
// `allow_emulation`, an arm64 host falls back to linux/amd64 when the image has no arm64 variant
// (a "warning" event says so). The config must agree with the variant the index promised.
[[nodiscard]] Result<ResolvedImage> resolve_image(ImageSource& source,
                                                  const platform::Platform& host,
                                                  bool allow_emulation, const Limits& limits,
                                                  EventSink& events);

// The image variant a host needs: linux/<host arch>/<host variant>.
[[nodiscard]] platform::Platform image_platform_for(const platform::Platform& host);

}  // namespace deskext
