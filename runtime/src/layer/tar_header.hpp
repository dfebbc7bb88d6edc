#pragma once
// One tar header block read as Go's archive/tar reads it (reader.go readHeader, strconv.go), so
// that deskext sees each layer entry as Docker and containerd do: the same formats recognised
// (V7, USTAR, PAX, GNU, STAR by their magic), the same checksum rule (signed or unsigned sum),
// the same numeric fields (octal, or base-256 when the top bit is set) and the same names
// (up to the first NUL, the USTAR or STAR prefix joined before it). A GNU header's sparse fields
// are read only for a GNU sparse entry, never for a regular file. Private to runtime/src.

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "deskext/error.hpp"

namespace deskext::layer {

inline constexpr std::size_t k_tar_block = 512;
using TarBlock = std::array<char, k_tar_block>;

// PAX records (key → value) of an extended header, GNU sparse 0.0 offsets folded into
// "GNU.sparse.map" as Go folds them.
using PaxRecords = std::map<std::string, std::string, std::less<>>;

struct TarHeader {
    char typeflag = '0';
    std::string name;
    std::string linkname;
    std::int64_t size = 0;
    std::int64_t mode = 0;
    PaxRecords pax;  // the records that applied to this entry
};

// Why a header is invalid, in Go's words.
inline constexpr std::string_view k_invalid_header = "invalid tar header";
inline constexpr std::string_view k_field_too_long = "header field too long";

// True when the block is all zeros (the end-of-archive marker is two of them).
[[nodiscard]] bool is_zero_block(const TarBlock& block);

// The header in `block`; invalid_extension with k_invalid_header when its checksum does not
// match, its format is unknown or a numeric field does not parse.
[[nodiscard]] Result<TarHeader> parse_header_block(const TarBlock& block);

// Whether `block` is a GNU-format header (magic "ustar  \0"), as the sparse map needs.
[[nodiscard]] bool is_gnu_block(const TarBlock& block);

// The records of a PAX extended header's data; k_invalid_header when a record is malformed.
[[nodiscard]] Result<PaxRecords> parse_pax_records(std::string_view data);

// Applies PAX records to a header (path, linkpath, size; uid, gid and times must parse even
// though deskext does not use them, as Go refuses the entry otherwise).
[[nodiscard]] Result<void> merge_pax(TarHeader& header, const PaxRecords& records);

// A decimal integer as Go's strconv.ParseInt(s, 10, 64) accepts it.
[[nodiscard]] std::optional<std::int64_t> parse_decimal(std::string_view text);

// A header field as a string: up to its first NUL.
[[nodiscard]] std::string field_string(std::string_view field);

}  // namespace deskext::layer
