// OCI image manifest and Docker image manifest v2 schema 2.
// https://github.com/opencontainers/image-spec/blob/main/manifest.md

#include "deskext/oci/media_types.hpp"
#include "deskext/oci/models.hpp"
#include "oci/json_fields.hpp"

namespace deskext::oci {

namespace {

constexpr std::string_view what = "image manifest";

bool is_manifest_type(std::string_view type) { return media_type::is_manifest(type); }

}  // namespace

Result<Manifest> parse_manifest(std::string_view json, std::string_view media_type,
                                const Limits& limits) {
    using namespace detail;
    DESKEXT_TRY_ASSIGN(const Json document, parse_object(json, limits.max_manifest_bytes, what));
    DESKEXT_TRY(check_schema_version(document, what));

    Manifest manifest;
    DESKEXT_TRY_ASSIGN(manifest.media_type,
                       resolve_media_type(document, media_type, what, is_manifest_type,
                                          media_type::oci_manifest));
    // An index must never be read as a manifest (CVE-2021-41190).
    if (has_value(document, "manifests"))
        return std::unexpected(field_error(
            what, "manifests", "is a field of an image index, not of an image manifest"));

    const auto config = document.find("config");
    if (config == document.end() || config->is_null())
        return std::unexpected(field_error(what, "config", "is missing"));
    DESKEXT_TRY_ASSIGN(manifest.config, parse_descriptor(*config, what, "config"));

    DESKEXT_TRY_ASSIGN(manifest.layers,
                       descriptor_array(document, "layers", what, limits.max_layers));
    DESKEXT_TRY_ASSIGN(manifest.annotations, string_map(document, "annotations", what, ""));
    return manifest;
}

}  // namespace deskext::oci
