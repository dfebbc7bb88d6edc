#pragma once
// An image read from an OCI image layout, wherever its files live (a directory for `oci:`, the
// members of a tar for `oci-archive:` and Docker 25+ `docker save` archives).
// https://github.com/opencontainers/image-spec/blob/main/image-layout.md

#include <memory>
#include <optional>
#include <string>

#include "deskext/source/image_source.hpp"
#include "source/blob_store.hpp"

namespace deskext::source {

// Reads oci-layout and index.json from `store` and selects the entry `tag` names (or the only
// entry when there is no tag). `transport` ("oci", "oci-archive", "docker-archive") prefixes
// describe().
[[nodiscard]] Result<std::unique_ptr<ImageSource>> open_layout_source(
    std::unique_ptr<BlobStore> store, std::string transport, std::optional<std::string> tag,
    const SourceOptions& options);

}  // namespace deskext::source
