#include "layer/tar_stream.hpp"

#include <algorithm>
#include <cstring>

namespace deskext::layer {

namespace {

// PAX extended headers and GNU long names are read whole: at most this long, as in Go.
constexpr std::int64_t k_max_special_bytes = std::int64_t{1} << 20;

std::unexpected<Error> invalid(std::string_view why) {
    return fail(ErrorCode::invalid_extension, std::string(why));
}

std::unexpected<Error> truncated() { return invalid("unexpected end of the tar stream"); }

// Types whose data Go never reads, whatever their size field says.
bool header_only(char typeflag) {
    return typeflag == '1' || typeflag == '2' || typeflag == '3' || typeflag == '4' ||
           typeflag == '5' || typeflag == '6';
}

std::int64_t padding_of(std::int64_t size) {
    return (static_cast<std::int64_t>(k_tar_block) - size % static_cast<std::int64_t>(k_tar_block)) %
           static_cast<std::int64_t>(k_tar_block);
}

std::span<char> chars(std::span<std::byte> bytes) {
    return {reinterpret_cast<char*>(bytes.data()), bytes.size()};
}

}  // namespace

TarStream::TarStream(Reader& input, std::size_t max_sparse_regions)
    : m_input(input), m_max_sparse_regions(max_sparse_regions) {}

Result<std::size_t> TarStream::read_up_to(std::span<char> out) {
    std::size_t filled = 0;
    while (filled < out.size()) {
        auto n = m_input.read(std::as_writable_bytes(out.subspan(filled)));
        if (!n) {
            m_input_failed = true;
            return std::unexpected(std::move(n).error());
        }
        if (*n == 0) break;
        filled += *n;
        m_position += static_cast<std::int64_t>(*n);
    }
    return filled;
}

Result<void> TarStream::read_exactly(std::span<char> out) {
    DESKEXT_TRY_ASSIGN(const std::size_t n, read_up_to(out));
    if (n < out.size()) return truncated();
    return {};
}

// Skips the rest of the current entry's data. The padding after it may be cut short by the end
// of the stream: Go takes that for the end of the archive.
Result<void> TarStream::skip_entry() {
    std::array<char, 16 * 1024> scratch{};
    while (m_remaining > 0) {
        const auto want = static_cast<std::size_t>(
            std::min<std::int64_t>(m_remaining, static_cast<std::int64_t>(scratch.size())));
        DESKEXT_TRY(read_exactly(std::span(scratch).first(want)));
        m_remaining -= static_cast<std::int64_t>(want);
    }
    m_holes.reset();
    const auto pad = static_cast<std::size_t>(m_padding);
    m_padding = 0;
    DESKEXT_TRY_ASSIGN(const std::size_t n, read_up_to(std::span(scratch).first(pad)));
    if (n < pad) m_at_end = true;
    return {};
}

// The next header block, or nullopt at the end of the archive.
Result<std::optional<TarHeader>> TarStream::read_header_block(TarBlock& block) {
    DESKEXT_TRY_ASSIGN(std::size_t n, read_up_to(block));
    if (n == 0) return std::nullopt;
    if (n < block.size()) return truncated();
    if (is_zero_block(block)) {
        DESKEXT_TRY_ASSIGN(n, read_up_to(block));
        if (n == 0 || (n == block.size() && is_zero_block(block))) return std::nullopt;
        if (n < block.size()) return truncated();
        return invalid("a zero block followed by a header");
    }
    DESKEXT_TRY_ASSIGN(TarHeader header, parse_header_block(block));
    return header;
}

Result<void> TarStream::start_data(const TarHeader& header) {
    const std::int64_t size = header_only(header.typeflag) ? 0 : header.size;
    if (size < 0) return invalid(k_invalid_header);
    m_remaining = size;
    m_padding = padding_of(size);
    return {};
}

Result<std::string> TarStream::read_special() {
    if (m_remaining > k_max_special_bytes) return invalid(k_field_too_long);
    std::string data(static_cast<std::size_t>(m_remaining), '\0');
    DESKEXT_TRY(read_exactly(data));
    m_remaining = 0;
    return data;
}

Result<std::optional<TarHeader>> TarStream::next() {
    if (m_stuck) return invalid("cannot read past an old GNU sparse entry");
    PaxRecords pax;
    std::string long_name;
    std::string long_link;
    TarBlock block{};
    while (true) {
        if (!m_at_end) DESKEXT_TRY(skip_entry());
        if (m_at_end) return std::nullopt;
        DESKEXT_TRY_ASSIGN(std::optional<TarHeader> header, read_header_block(block));
        if (!header) {
            m_at_end = true;
            return std::nullopt;
        }
        DESKEXT_TRY(start_data(*header));
        switch (header->typeflag) {
            case 'x':
            case 'g': {
                DESKEXT_TRY_ASSIGN(const std::string data, read_special());
                DESKEXT_TRY_ASSIGN(pax, parse_pax_records(data));
                if (header->typeflag == 'x') continue;
                (void)merge_pax(*header, pax);  // Go ignores a global header's bad values
                return header;
            }
            case 'L':
            case 'K': {
                DESKEXT_TRY_ASSIGN(const std::string data, read_special());
                (header->typeflag == 'L' ? long_name : long_link) = field_string(data);
                continue;
            }
            default: break;
        }
        DESKEXT_TRY_ASSIGN(TarHeader entry,
                           finish_header(std::move(*header), pax, long_name, long_link));
        m_stuck = entry.typeflag == 'S';
        return entry;
    }
}

// Applies what the headers before it said, then sets up its data (sparse or not).
Result<TarHeader> TarStream::finish_header(TarHeader header, const PaxRecords& pax,
                                           const std::string& long_name,
                                           const std::string& long_link) {
    DESKEXT_TRY(merge_pax(header, pax));
    if (!long_name.empty()) header.name = long_name;
    if (!long_link.empty()) header.linkname = long_link;
    if (header.typeflag == '\0') header.typeflag = header.name.ends_with('/') ? '5' : '0';
    DESKEXT_TRY(start_data(header));  // a PAX size record may have changed the size
    if (header.typeflag != 'S') DESKEXT_TRY(start_sparse(header));
    return header;
}

Result<void> TarStream::start_sparse(TarHeader& header) {
    const SparseFormat format = sparse_format(header.pax);
    if (format == SparseFormat::none) return {};
    if (auto name = header.pax.find("GNU.sparse.name");
        name != header.pax.end() && !name->second.empty())
        header.name = name->second;
    auto size = header.pax.find("GNU.sparse.size");
    if (size == header.pax.end() || size->second.empty()) size = header.pax.find("GNU.sparse.realsize");
    if (size != header.pax.end() && !size->second.empty()) {
        const auto logical = parse_decimal(size->second);
        if (!logical) return invalid(k_invalid_header);
        header.size = *logical;
    }
    std::vector<SparseRegion> regions;
    if (format == SparseFormat::map_in_data) {
        DESKEXT_TRY_ASSIGN(regions, read_sparse_map_in_data());
    } else {
        DESKEXT_TRY_ASSIGN(regions, sparse_map_from_records(header.pax));
    }
    if (header_only(header.typeflag) || !valid_sparse_regions(regions, header.size))
        return invalid(k_invalid_header);
    m_holes = sparse_holes(regions, header.size);
    m_hole = 0;
    m_logical = 0;
    return {};
}

// The 1.0 map comes first in the entry's data, in whole blocks.
Result<std::vector<SparseRegion>> TarStream::read_sparse_map_in_data() {
    SparseMapParser parser(m_max_sparse_regions);
    TarBlock block{};
    for (bool done = false; !done;) {
        if (m_remaining < static_cast<std::int64_t>(block.size())) return truncated();
        DESKEXT_TRY(read_exactly(block));
        m_remaining -= static_cast<std::int64_t>(block.size());
        DESKEXT_TRY_ASSIGN(done, parser.feed({block.data(), block.size()}));
    }
    return parser.take();
}

Result<std::size_t> TarStream::read(std::span<std::byte> out) {
    if (m_holes) return read_sparse(out);
    const auto n = static_cast<std::size_t>(
        std::min<std::int64_t>(m_remaining, static_cast<std::int64_t>(out.size())));
    DESKEXT_TRY(read_exactly(chars(out.first(n))));
    m_remaining -= static_cast<std::int64_t>(n);
    return n;
}

// Data regions come from the stream, holes are zeros; the regions must account for exactly the
// data stored (Go: "sparse file references non-existent data", "... contains unreferenced data").
Result<std::size_t> TarStream::read_sparse(std::span<std::byte> out) {
    const std::vector<SparseRegion>& holes = *m_holes;
    const std::int64_t logical_left = holes.back().end() - m_logical;
    const auto n = static_cast<std::size_t>(
        std::min<std::int64_t>(logical_left, static_cast<std::int64_t>(out.size())));
    std::size_t filled = 0;
    while (filled < n) {
        const SparseRegion& hole = holes[m_hole];
        const std::int64_t left = static_cast<std::int64_t>(n - filled);
        std::int64_t step = 0;
        if (m_logical < hole.offset) {
            if (m_remaining == 0) return invalid("sparse file references data it does not hold");
            step = std::min({left, hole.offset - m_logical, m_remaining});
            DESKEXT_TRY(read_exactly(chars(out.subspan(filled, static_cast<std::size_t>(step)))));
            m_remaining -= step;
        } else {
            step = std::min(left, hole.end() - m_logical);
            std::memset(out.data() + filled, 0, static_cast<std::size_t>(step));
        }
        m_logical += step;
        filled += static_cast<std::size_t>(step);
        if (m_logical >= hole.end() && m_hole + 1 < holes.size()) ++m_hole;
    }
    if (holes.back().end() == m_logical && m_remaining > 0)
        return invalid("sparse file holds data its map does not reference");
    return filled;
}

}  // namespace deskext::layer
