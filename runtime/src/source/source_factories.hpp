#pragma once
// The offline transports behind open_source(): one factory per format.

#include <memory>
#include <optional>
#include <string>

#include "deskext/source/image_source.hpp"
#include "source/tar_index.hpp"

namespace deskext::source {

// `oci:DIR[:TAG]`.
[[nodiscard]] Result<std::unique_ptr<ImageSource>> open_oci_layout(const std::string& dir,
                                                                   std::optional<std::string> tag,
                                                                   const SourceOptions& options);

// Scans an image archive's tar headers (plain tar only; see TarIndex::scan).
[[nodiscard]] Result<TarIndex> scan_image_archive(const std::string& path,
                                                  const SourceOptions& options);

// Whether the archive holds an OCI image layout (oci-layout and index.json at its root).
[[nodiscard]] bool holds_oci_layout(const TarIndex& index);

// `oci-archive:FILE[:TAG]`, read in place. `transport` prefixes describe().
[[nodiscard]] Result<std::unique_ptr<ImageSource>> open_oci_archive(
    TarIndex index, std::optional<std::string> tag, const SourceOptions& options,
    std::string transport = "oci-archive");

// `docker-archive:FILE[:NAME:TAG]`; reads the OCI layout inside when the archive has one
// (Docker 25+), else manifest.json.
[[nodiscard]] Result<std::unique_ptr<ImageSource>> open_docker_archive(
    TarIndex index, std::optional<std::string> name, const SourceOptions& options);

}  // namespace deskext::source
