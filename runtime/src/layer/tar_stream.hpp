#pragma once
// The entries of an uncompressed tar stream, read as Go's archive/tar Reader reads them
// (reader.go Next and Read), which is how Docker and containerd read every layer: PAX extended
// headers ('x') and GNU long names ('L', 'K') apply to the next entry; global headers ('g') are
// returned as entries of their own; a name ending in '/' with type NUL is a directory; GNU sparse
// files in PAX form read back with their holes as zeros. The end is two zero blocks, one zero
// block at the end of the stream, or the end of the stream where a header would start. Private
// to runtime/src.

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "deskext/io/reader.hpp"
#include "layer/tar_header.hpp"
#include "layer/tar_sparse.hpp"

namespace deskext::layer {

class TarStream {
public:
    // `input` (the tar, decompressed) must outlive the stream. A sparse map may hold at most
    // `max_sparse_regions` regions.
    TarStream(Reader& input, std::size_t max_sparse_regions);

    // The next entry, or nullopt at the end of the archive. The data of the previous entry is
    // skipped. An old GNU sparse entry (type 'S') is returned, but nothing after it can be read:
    // containerd refuses such entries, and so does the caller.
    [[nodiscard]] Result<std::optional<TarHeader>> next();

    // The current entry's data, holes of a sparse file as zeros; 0 at its end. Header-only
    // entries (links, directories, devices, FIFOs) have none, whatever their size field says.
    [[nodiscard]] Result<std::size_t> read(std::span<std::byte> out);

    // Bytes of the tar consumed so far.
    [[nodiscard]] std::int64_t position() const { return m_position; }

    // Whether the last failure came from `input` itself rather than from the tar's contents.
    [[nodiscard]] bool input_failed() const { return m_input_failed; }

private:
    Result<std::size_t> read_up_to(std::span<char> out);
    Result<void> read_exactly(std::span<char> out);
    Result<void> skip_entry();
    Result<std::optional<TarHeader>> read_header_block(TarBlock& block);
    Result<void> start_data(const TarHeader& header);
    Result<std::string> read_special();
    Result<void> start_sparse(TarHeader& header);
    Result<std::vector<SparseRegion>> read_sparse_map_in_data();
    Result<std::size_t> read_sparse(std::span<std::byte> out);
    Result<TarHeader> finish_header(TarHeader header, const PaxRecords& pax,
                                    const std::string& long_name, const std::string& long_link);

    Reader& m_input;
    std::size_t m_max_sparse_regions;
    std::int64_t m_position = 0;
    std::int64_t m_remaining = 0;  // bytes of the current entry's data still in the stream
    std::int64_t m_padding = 0;    // to the next block after them
    bool m_at_end = false;
    bool m_stuck = false;  // an old GNU sparse entry was returned
    bool m_input_failed = false;
    // The current entry is sparse: its holes and the logical position in it.
    std::optional<std::vector<SparseRegion>> m_holes;
    std::size_t m_hole = 0;
    std::int64_t m_logical = 0;
};

}  // namespace deskext::layer
