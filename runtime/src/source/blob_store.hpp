#pragma once
// Where the files of an OCI image layout live: a directory on disk or the members of a tar.
// The layout logic (index.json, tag selection, verified blobs) is written once over this.
// https://github.com/opencontainers/image-spec/blob/main/image-layout.md

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "deskext/error.hpp"
#include "deskext/io/reader.hpp"
#include "source/tar_index.hpp"

namespace deskext::source {

class BlobStore {
public:
    virtual ~BlobStore() = default;
    // The directory or archive path, for messages.
    [[nodiscard]] virtual std::string describe() const = 0;
    // `name` is a layout-relative path built by the caller from validated parts only
    // ("index.json", "blobs/sha256/<64 hex>").
    [[nodiscard]] virtual bool has(std::string_view name) const = 0;
    // A whole file, capped (invalid_extension past `cap`); not_found when absent.
    [[nodiscard]] virtual Result<std::string> read_file(std::string_view name,
                                                        std::size_t cap) const = 0;
    // A file as an (unverified) stream; not_found when absent.
    [[nodiscard]] virtual Result<std::unique_ptr<Reader>> open(std::string_view name) const = 0;
};

[[nodiscard]] std::unique_ptr<BlobStore> make_directory_store(std::filesystem::path dir);
[[nodiscard]] std::unique_ptr<BlobStore> make_tar_store(TarIndex index);

}  // namespace deskext::source
