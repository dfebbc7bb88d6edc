// Telling an index from a manifest, and a layer's compression from its media type.
// https://github.com/opencontainers/image-spec/blob/main/media-types.md

#include "deskext/oci/media_types.hpp"
#include "deskext/oci/models.hpp"
#include "oci/json_fields.hpp"

namespace deskext::oci {

Result<std::string> detect_document_type(std::string_view json) {
    using namespace detail;
    constexpr std::string_view what = "image document";
    DESKEXT_TRY_ASSIGN(const Json document,
                       parse_object(json, Limits{}.max_manifest_bytes, what));
    DESKEXT_TRY(check_schema_version(document, what));
    DESKEXT_TRY_ASSIGN(auto own, optional_string(document, "mediaType", what, ""));

    const bool index_shape = has_value(document, "manifests");
    const bool manifest_shape = has_value(document, "config") || has_value(document, "layers");
    if (index_shape && manifest_shape)
        return std::unexpected(invalid(what, "has both \"manifests\" (index) and "
                                             "\"config\"/\"layers\" (manifest): ambiguous, refused"));
    if (own) {
        if (is_schema1_media_type(*own)) return std::unexpected(schema1_error(what));
        if (media_type::is_index(*own)) {
            if (manifest_shape)
                return std::unexpected(invalid(
                    what, "mediaType says image index but the document has \"config\"/\"layers\""));
            return std::move(*own);
        }
        if (media_type::is_manifest(*own)) {
            if (index_shape)
                return std::unexpected(invalid(
                    what, "mediaType says image manifest but the document has \"manifests\""));
            return std::move(*own);
        }
        return std::unexpected(
            field_error(what, "mediaType", "is \"" + *own + "\", not an image index or manifest"));
    }
    // Without a mediaType (allowed by OCI, never written by Docker) the shape decides.
    if (index_shape) return std::string(media_type::oci_index);
    if (manifest_shape) return std::string(media_type::oci_manifest);
    // Docker schema 1 carries "fsLayers" and, signed, no schemaVersion we could have seen.
    if (document.contains("fsLayers")) return std::unexpected(schema1_error(what));
    return std::unexpected(
        invalid(what, "neither an image index (\"manifests\") nor a manifest (\"config\")"));
}

Result<Compression> layer_compression(std::string_view type) {
    namespace mt = media_type;
    if (type == mt::oci_layer_tar || type == mt::oci_layer_nondist_tar ||
        type == mt::docker_layer_tar)
        return Compression::none;
    if (type == mt::oci_layer_gzip || type == mt::oci_layer_nondist_gzip ||
        type == mt::docker_layer_gzip || type == mt::docker_layer_foreign_gzip)
        return Compression::gzip;
    if (type == mt::oci_layer_zstd ||
        type == "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd")
        return Compression::zstd;
    return fail(ErrorCode::invalid_extension,
                "unsupported layer media type \"" + std::string(type) + "\"");
}

}  // namespace deskext::oci
