#pragma once
// Inflates a gzip stream (RFC 1952) with ISA-L's igzip: a Reader of the inflated bytes over a
// Reader of the compressed ones. Several times faster than zlib, which is what libarchive's gzip
// filter uses; built only when ISA-L is found (DESKEXT_HAVE_ISAL), the layer reader falls back
// to libarchive's filter otherwise.
//
// Every member of a multi-member stream (as pigz and concatenating tools write) is inflated in
// turn, and each one's CRC-32 and ISIZE is checked against its trailer; the optional header
// fields (FEXTRA, FNAME, FCOMMENT) are skipped and FHCRC is checked. After a member, bytes that
// do not start another member end the stream and are left unread, as libarchive's gzip filter
// does: whoever owns the source reads them for its digest check.
//
// Memory is fixed: one 256 KiB input buffer and ISA-L's state; output goes straight into the
// caller's buffer.

#include <cstdint>
#include <memory>
#include <span>

#include "deskext/io/reader.hpp"

namespace deskext::layer {

class GzipInflateReader final : public Reader {
public:
    // Why the last read failed: the source's own error is passed through unchanged.
    enum class Failure {
        none,
        source,    // the compressed source failed (network, integrity)
        not_gzip,  // the stream does not start with a gzip member
        corrupt,   // a malformed header, invalid deflate data, a checksum mismatch, truncation
    };

    // `compressed` must outlive the reader.
    explicit GzipInflateReader(Reader& compressed);
    ~GzipInflateReader() override;
    GzipInflateReader(const GzipInflateReader&) = delete;
    GzipInflateReader& operator=(const GzipInflateReader&) = delete;

    // Inflated bytes, up to buffer.size(); 0 after the last member. Errors other than the
    // source's are ErrorCode::invalid_extension; once failed, every read fails the same way.
    [[nodiscard]] Result<std::size_t> read(std::span<std::byte> buffer) override;

    [[nodiscard]] std::int64_t bytes_in() const;   // compressed bytes pulled from the source
    [[nodiscard]] std::int64_t bytes_out() const;  // inflated bytes handed out
    [[nodiscard]] bool source_at_end() const;      // the source has returned 0
    [[nodiscard]] Failure failure() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace deskext::layer
