#pragma once
// Writes an OCI image layout as one tar (the oci-archive format) to a temporary file next to
// its destination, and puts it in place with a rename only once everything is in it: a failed
// or interrupted export never leaves a partial bundle under the destination's name.
// https://github.com/opencontainers/image-spec/blob/main/image-layout.md

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>

#include "deskext/digest.hpp"
#include "deskext/io/reader.hpp"
#include "deskext/layer/layer_progress.hpp"
#include "deskext/oci/models.hpp"

struct archive;

namespace deskext::bundle {

class BundleWriter {
public:
    // Creates the temporary file in `destination`'s directory (same file system: the final
    // rename is atomic) and writes the oci-layout marker.
    [[nodiscard]] static Result<BundleWriter> create(std::filesystem::path destination);
    ~BundleWriter();
    BundleWriter(BundleWriter&& other) noexcept;
    BundleWriter& operator=(BundleWriter&&) = delete;
    BundleWriter(const BundleWriter&) = delete;
    BundleWriter& operator=(const BundleWriter&) = delete;

    [[nodiscard]] bool has_blob(const Digest& digest) const { return m_blobs.contains(digest); }

    // Adds blobs/<alg>/<hex> from bytes held in memory (documents), checked against `digest`.
    [[nodiscard]] Result<void> add_blob(const Digest& digest, std::string_view bytes);

    // Streams a blob from `reader` (a VerifyingReader from ImageSource::open_blob: the copy
    // fails, and with it the export, on a digest or size mismatch). `progress` gets the bytes
    // copied so far with `layer` set to `index`.
    [[nodiscard]] Result<void> copy_blob(const oci::Descriptor& descriptor, Reader& reader,
                                         std::size_t index, const layer::ProgressFn& progress);

    // Writes index.json, finishes the tar, fsyncs it and renames it onto the destination.
    // Returns the size of the bundle.
    [[nodiscard]] Result<std::int64_t> commit(std::string_view index_json);

    [[nodiscard]] std::size_t blob_count() const { return m_blobs.size(); }

private:
    BundleWriter(std::filesystem::path destination, std::filesystem::path temp, int fd);
    [[nodiscard]] Result<void> begin_member(const std::string& name, std::int64_t size);
    [[nodiscard]] Result<void> write_data(const void* data, std::size_t size);
    [[nodiscard]] Result<void> add_member(const std::string& name, std::string_view bytes);
    void discard();

    std::filesystem::path m_destination;
    std::filesystem::path m_temp;
    int m_fd = -1;
    ::archive* m_archive = nullptr;
    std::set<Digest> m_blobs;
};

}  // namespace deskext::bundle
