#pragma once
// Between digests and the "blobs/<alg>/<hex>" names of an image layout. A path is only ever
// built from a validated sha256 hex, never from text taken as is from a document.
// https://github.com/opencontainers/image-spec/blob/main/image-layout.md#blobs

#include <optional>
#include <string>
#include <string_view>

#include "deskext/digest.hpp"

namespace deskext::source {

// "blobs/sha256/<64 hex>"; usage for another algorithm, invalid_extension for a malformed hex.
[[nodiscard]] Result<std::string> blob_member_name(const Digest& digest);

// The digest a "blobs/sha256/<hex>" member name stands for; none for any other name.
[[nodiscard]] std::optional<Digest> digest_of_blob_member(std::string_view name);

}  // namespace deskext::source
