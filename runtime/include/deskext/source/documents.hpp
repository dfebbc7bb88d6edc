#pragma once
// Parsing the documents a source returns, with the document's digest in every error so that a
// person can find the one that lies.

#include "deskext/limits.hpp"
#include "deskext/oci/models.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext {

[[nodiscard]] Result<oci::Manifest> parse_manifest_document(const Document& document,
                                                            const Limits& limits);
[[nodiscard]] Result<oci::Index> parse_index_document(const Document& document,
                                                      const Limits& limits);
// The manifest's config blob, read whole (verified, capped at Limits::max_config_bytes).
[[nodiscard]] Result<oci::ImageConfig> read_image_config(ImageSource& source,
                                                         const oci::Manifest& manifest,
                                                         const Limits& limits);

}  // namespace deskext
