#pragma once
// Reads one layer (a tar, optionally gzip or zstd compressed) entry by entry, streaming from a
// Reader: the layer is never held whole in memory. The tar is read as Go's archive/tar reads it
// and its entries decided as containerd applies them (SECURITY.md, "Deliberate choices");
// libarchive decompresses. gzip is inflated by ISA-L when the build has it (README
// "Dependencies"), by libarchive's zlib-based filter otherwise.
// https://github.com/opencontainers/image-spec/blob/main/layer.md

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "deskext/io/reader.hpp"
#include "deskext/limits.hpp"
#include "deskext/oci/models.hpp"

namespace deskext::layer {

enum class EntryType { file, directory, symlink, hardlink, other /* device, fifo, socket */ };

struct Entry {
    // Normalised image path: relative, '/'-separated, no "." or empty components, no trailing
    // '/'; "" is the image root. Names with "..", absolute names, backslashes or drive letters
    // are refused by the reader (ErrorCode::invalid_extension naming the entry).
    std::string path;
    EntryType type = EntryType::file;
    std::uint32_t mode = 0;   // permission bits only (07777)
    std::int64_t size = 0;    // regular files
    std::string link_target;  // symlink: as written; hardlink: normalised image path
};

class LayerReader {
public:
    // `source` must outlive the reader.
    [[nodiscard]] static Result<LayerReader> open(Reader& source, oci::Compression compression,
                                                  const Limits& limits = {});
    LayerReader(LayerReader&&) noexcept;
    LayerReader& operator=(LayerReader&&) noexcept;
    ~LayerReader();

    // The next entry, or nullopt at the end of the archive. The data of the previous entry is
    // skipped if it was not read.
    [[nodiscard]] Result<std::optional<Entry>> next();

    // Reads data of the current regular-file entry; 0 at its end.
    [[nodiscard]] Result<std::size_t> read_data(std::span<std::byte> buffer);

    // Reads the rest of the underlying stream (trailing padding after the end-of-archive
    // blocks), so that the source's digest check runs. Call after next() returned nullopt.
    [[nodiscard]] Result<void> finish();

    // Bytes the decompressor has produced so far (the tar stream), for the caller's image-wide
    // cap (Limits::max_uncompressed_bytes).
    [[nodiscard]] std::int64_t uncompressed_bytes() const;

private:
    struct Impl;
    explicit LayerReader(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace deskext::layer
