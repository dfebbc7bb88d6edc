#pragma once
// Writes an OCI image layout as one tar (the oci-archive format) to a file beside its
// destination that is put in place only once everything is in it (platform::PendingFile): a
// failed, interrupted or killed export never leaves a partial bundle under the destination's
// name, and on Linux none under any other name either.
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
#include "deskext/platform/pending_file.hpp"

struct archive;

namespace deskext::bundle {

class BundleWriter {
public:
    // Creates the bundle's pending file beside `destination` and writes the oci-layout marker.
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

    // Writes index.json, finishes the tar and publishes it at the destination (flushed, then
    // renamed onto it). Returns the size of the bundle.
    [[nodiscard]] Result<std::int64_t> commit(std::string_view index_json);

    [[nodiscard]] std::size_t blob_count() const { return m_blobs.size(); }

private:
    explicit BundleWriter(platform::PendingFile file) : m_file(std::move(file)) {}
    [[nodiscard]] Result<void> begin_member(const std::string& name, std::int64_t size);
    [[nodiscard]] Result<void> write_data(const void* data, std::size_t size);
    [[nodiscard]] Result<void> add_member(const std::string& name, std::string_view bytes);
    [[nodiscard]] std::string archive_error() const;

    platform::PendingFile m_file;
    ::archive* m_archive = nullptr;
    std::set<Digest> m_blobs;
};

}  // namespace deskext::bundle
