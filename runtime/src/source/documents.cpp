#include "deskext/source/documents.hpp"

#include <utility>

namespace deskext {

Result<oci::Manifest> parse_manifest_document(const Document& document, const Limits& limits) {
    auto manifest = oci::parse_manifest(document.bytes, document.media_type, limits);
    if (!manifest)
        return std::unexpected(
            std::move(manifest).error().context("manifest " + document.digest.str()));
    return manifest;
}

Result<oci::Index> parse_index_document(const Document& document, const Limits& limits) {
    auto index = oci::parse_index(document.bytes, document.media_type, limits);
    if (!index)
        return std::unexpected(std::move(index).error().context("index " + document.digest.str()));
    return index;
}

Result<oci::ImageConfig> read_image_config(ImageSource& source, const oci::Manifest& manifest,
                                           const Limits& limits) {
    DESKEXT_TRY_ASSIGN(auto text,
                       read_small_blob(source, manifest.config, limits.max_config_bytes));
    return oci::parse_image_config(text);
}

}  // namespace deskext
