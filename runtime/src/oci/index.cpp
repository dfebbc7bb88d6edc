// OCI image index and Docker manifest list.
// https://github.com/opencontainers/image-spec/blob/main/image-index.md

#include "deskext/oci/media_types.hpp"
#include "deskext/oci/models.hpp"
#include "oci/json_fields.hpp"

namespace deskext::oci {

namespace {

constexpr std::string_view what = "image index";

bool is_index_type(std::string_view type) { return media_type::is_index(type); }

}  // namespace

Result<Index> parse_index(std::string_view json, std::string_view media_type,
                          const Limits& limits) {
    using namespace detail;
    DESKEXT_TRY_ASSIGN(const Json document, parse_object(json, limits.max_manifest_bytes, what));
    DESKEXT_TRY(check_schema_version(document, what));

    Index index;
    DESKEXT_TRY_ASSIGN(index.media_type, resolve_media_type(document, media_type, what,
                                                            is_index_type, media_type::oci_index));
    // A manifest must never be read as an index (CVE-2021-41190): refuse a manifest's fields.
    for (const std::string_view key : {"config", "layers"}) {
        if (has_value(document, key))
            return std::unexpected(field_error(
                what, key, "is a field of an image manifest, not of an image index"));
    }

    DESKEXT_TRY_ASSIGN(index.manifests,
                       descriptor_array(document, "manifests", what, limits.max_index_entries));
    DESKEXT_TRY_ASSIGN(index.annotations, string_map(document, "annotations", what, ""));
    return index;
}

}  // namespace deskext::oci
