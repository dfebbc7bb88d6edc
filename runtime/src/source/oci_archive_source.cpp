// `oci-archive:FILE[:TAG]`: a tar of an OCI image layout, read in place. Members are located
// once by scanning the tar headers, then each blob is a byte range of the archive file: nothing
// is unpacked to disk. Only plain tars are read; a compressed one is refused (see TarIndex).
// https://github.com/opencontainers/image-spec/blob/main/image-layout.md

#include <utility>

#include "source/blob_store.hpp"
#include "source/layout_source.hpp"
#include "source/source_factories.hpp"

namespace deskext::source {

Result<TarIndex> scan_image_archive(const std::string& path, const SourceOptions& options) {
    return TarIndex::scan(path, options.limits.max_entries_per_layer,
                          options.limits.max_path_bytes);
}

bool holds_oci_layout(const TarIndex& index) {
    return index.contains("oci-layout") && index.contains("index.json");
}

Result<std::unique_ptr<ImageSource>> open_oci_archive(TarIndex index,
                                                      std::optional<std::string> tag,
                                                      const SourceOptions& options,
                                                      std::string transport) {
    return open_layout_source(make_tar_store(std::move(index)), std::move(transport),
                              std::move(tag), options);
}

}  // namespace deskext::source
