#pragma once
// Typed access to the fields of untrusted OCI / Docker JSON documents (private to runtime/src).
// Every failure is ErrorCode::invalid_extension naming the document and the field, e.g.
// `image index: "manifests[2].size" must be a non-negative integer`.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "deskext/error.hpp"
#include "deskext/oci/models.hpp"

namespace deskext::oci::detail {

using Json = nlohmann::json;

// `what` names the document in messages ("image index", "image manifest", "image config").
[[nodiscard]] Error invalid(std::string_view what, std::string_view message);
[[nodiscard]] Error field_error(std::string_view what, std::string_view field,
                                std::string_view problem);

// Parses `text` (refusing more than `cap` bytes) and requires a JSON object at the top.
[[nodiscard]] Result<Json> parse_object(std::string_view text, std::size_t cap,
                                        std::string_view what);

// "a.b" for nested fields, "a[3]" for array elements.
[[nodiscard]] std::string join_field(std::string_view parent, std::string_view key);
[[nodiscard]] std::string index_field(std::string_view parent, std::size_t index);

// A string field: absent (or null) gives nullopt; any other type is an error.
[[nodiscard]] Result<std::optional<std::string>> optional_string(const Json& object,
                                                                 std::string_view key,
                                                                 std::string_view what,
                                                                 std::string_view parent);
// A string field that must be present and non-empty.
[[nodiscard]] Result<std::string> required_string(const Json& object, std::string_view key,
                                                  std::string_view what,
                                                  std::string_view parent);
// An object of strings (annotations, labels); absent or null gives an empty map.
[[nodiscard]] Result<Annotations> string_map(const Json& object, std::string_view key,
                                             std::string_view what, std::string_view parent);
// A digest read from a document: malformed is invalid_extension (not usage) naming the field.
[[nodiscard]] Result<Digest> digest_field(const Json& value, std::string_view what,
                                          std::string_view field);

// https://github.com/opencontainers/image-spec/blob/main/descriptor.md#properties
[[nodiscard]] Result<Descriptor> parse_descriptor(const Json& value, std::string_view what,
                                                  std::string_view field);
// A required array of descriptors (an index's manifests, a manifest's layers), at most `cap`;
// null gives none.
[[nodiscard]] Result<std::vector<Descriptor>> descriptor_array(const Json& document,
                                                               std::string_view key,
                                                               std::string_view what,
                                                               std::size_t cap);

// The message that refuses Docker's image manifest v2 schema 1.
[[nodiscard]] Error schema1_error(std::string_view what);
[[nodiscard]] bool is_schema1_media_type(std::string_view media_type);
// schemaVersion must be the integer 2 when present; 1 is Docker schema 1.
[[nodiscard]] Result<void> check_schema_version(const Json& document, std::string_view what);

// Reconciles the media type the transport announced with the document's own mediaType: both
// must be of the expected kind and, when both are present, equal (CVE-2021-41190). Returns the
// effective media type, `fallback` when neither says.
[[nodiscard]] Result<std::string> resolve_media_type(const Json& document,
                                                     std::string_view transport,
                                                     std::string_view what,
                                                     bool (*is_kind)(std::string_view),
                                                     std::string_view fallback);

// True when `key` is present with a non-null value.
[[nodiscard]] bool has_value(const Json& object, std::string_view key);

}  // namespace deskext::oci::detail
