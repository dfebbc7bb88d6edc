#pragma once
// Value types for the OCI / Docker image documents deskext reads, and their parsers.
// Parsers take the raw bytes (already capped by the caller, see Limits), check the media type
// and every field's type, and fail with ErrorCode::invalid_extension naming the bad field.
// Unknown fields are ignored, as the OCI spec requires of consumers.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/digest.hpp"
#include "deskext/error.hpp"
#include "deskext/limits.hpp"
#include "deskext/platform/platform.hpp"

namespace deskext::oci {

using Annotations = std::map<std::string, std::string>;

// https://github.com/opencontainers/image-spec/blob/main/descriptor.md
struct Descriptor {
    std::string media_type;
    Digest digest;
    std::int64_t size = 0;                       // must be >= 0
    std::optional<platform::Platform> platform;  // normalised; only in index entries
    Annotations annotations;
    std::vector<std::string> urls;  // foreign layers; never followed
};

// OCI image index or Docker manifest list.
// https://github.com/opencontainers/image-spec/blob/main/image-index.md
struct Index {
    std::string media_type;
    std::vector<Descriptor> manifests;
    Annotations annotations;
};

// OCI image manifest or Docker schema-2 manifest.
// https://github.com/opencontainers/image-spec/blob/main/manifest.md
struct Manifest {
    std::string media_type;
    Descriptor config;
    std::vector<Descriptor> layers;
    Annotations annotations;
};

// The parts of the image config deskext uses.
// https://github.com/opencontainers/image-spec/blob/main/config.md
struct ImageConfig {
    platform::Platform platform;                // os / architecture / variant, normalised
    std::map<std::string, std::string> labels;  // config.Labels
    std::vector<Digest> diff_ids;               // rootfs.diff_ids
};

// `media_type` is what the transport said the document is (descriptor or Content-Type); empty
// when unknown. A mediaType inside the document that disagrees with it is an error
// (CVE-2021-41190: a manifest must never be read as an index or the other way round).
[[nodiscard]] Result<Index> parse_index(std::string_view json, std::string_view media_type,
                                        const Limits& limits = {});
[[nodiscard]] Result<Manifest> parse_manifest(std::string_view json, std::string_view media_type,
                                              const Limits& limits = {});
[[nodiscard]] Result<ImageConfig> parse_image_config(std::string_view json);

// Tells an index from a manifest by its mediaType field, falling back to its shape
// (manifests[] vs config+layers) when the field is absent; refuses Docker schema 1.
[[nodiscard]] Result<std::string> detect_document_type(std::string_view json);

[[nodiscard]] std::string to_json(const Descriptor& descriptor);

enum class Compression { none, gzip, zstd };
// The compression of a layer from its media type; unknown layer types are invalid_extension.
[[nodiscard]] Result<Compression> layer_compression(std::string_view media_type);

}  // namespace deskext::oci
