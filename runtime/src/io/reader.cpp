// Pull-based byte streams: verification against a descriptor, whole-document reads with a cap,
// in-memory and file readers.

#include "deskext/io/reader.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include "deskext/platform/file.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext {

namespace {

constexpr std::size_t chunk_size = 64 * 1024;

std::string blob_name(const Digest& digest) { return "blob " + digest.str(); }

}  // namespace

// ---- VerifyingReader -----------------------------------------------------------------------
//
// Once verification failed, the reader is marked by m_done with an empty m_expected, so that a
// caller that reads again never mistakes the failed blob for a verified one (0 = verified).

VerifyingReader::VerifyingReader(std::unique_ptr<Reader> inner, Digest expected,
                                 std::int64_t expected_size)
    : m_inner(std::move(inner)), m_expected(std::move(expected)), m_expected_size(expected_size) {}

Result<std::size_t> VerifyingReader::read(std::span<std::byte> buffer) {
    if (m_done) {
        if (m_expected.empty())
            return fail(ErrorCode::integrity, "reading a blob that already failed verification");
        return std::size_t{0};
    }
    if (buffer.empty()) return std::size_t{0};

    auto mark_failed = [this](std::string message) {
        m_done = true;
        m_expected = Digest{};
        return fail(ErrorCode::integrity, std::move(message));
    };

    const std::string name = blob_name(m_expected);
    auto got = m_inner->read(buffer);
    if (!got) return std::unexpected(std::move(got).error());
    const std::size_t n = *got;

    if (n > 0) {
        if (n > buffer.size()) return fail(ErrorCode::internal, "reader returned too many bytes");
        const auto remaining = m_expected_size - m_read;
        if (remaining < 0 || static_cast<std::uint64_t>(n) > static_cast<std::uint64_t>(remaining))
            return mark_failed(name + " is larger than its descriptor says (" +
                               std::to_string(m_expected_size) + " bytes)");
        m_hash.update(buffer.first(n));
        m_read += static_cast<std::int64_t>(n);
        return n;
    }

    // End of stream: now, and only now, the bytes can be trusted.
    const Digest actual = m_hash.finish();
    if (m_read != m_expected_size)
        return mark_failed(name + " is truncated: got " + std::to_string(m_read) + " of " +
                           std::to_string(m_expected_size) + " bytes, which hash to " +
                           actual.str());
    if (actual != m_expected)
        return mark_failed("blob does not match its digest: expected " + m_expected.str() +
                           ", got " + actual.str());
    m_done = true;
    return std::size_t{0};
}

// ---- helpers -------------------------------------------------------------------------------

Result<std::string> read_all(Reader& reader, std::size_t cap, ErrorCode too_big) {
    std::string out;
    std::array<std::byte, chunk_size> buffer{};
    for (;;) {
        // Never ask for more than one byte past the cap: that byte is enough to refuse.
        const std::size_t left = cap - out.size();  // out.size() <= cap here
        const std::size_t want = left < buffer.size() ? left + 1 : buffer.size();
        DESKEXT_TRY_ASSIGN(const std::size_t n, reader.read(std::span(buffer).first(want)));
        if (n == 0) return out;
        out.append(reinterpret_cast<const char*>(buffer.data()), n);
        if (out.size() > cap)
            return fail(too_big,
                        "document is larger than the limit of " + std::to_string(cap) + " bytes");
    }
}

Result<std::size_t> StringReader::read(std::span<std::byte> buffer) {
    const std::size_t n = std::min(buffer.size(), m_data.size() - m_pos);
    if (n > 0) std::memcpy(buffer.data(), m_data.data() + m_pos, n);
    m_pos += n;
    return n;
}

// ---- files ---------------------------------------------------------------------------------

namespace {

class FileRangeReader final : public Reader {
public:
    FileRangeReader(platform::File file, std::int64_t offset, std::int64_t length)
        : m_file(std::move(file)), m_pos(offset), m_end_known(length >= 0), m_remaining(length) {}

    Result<std::size_t> read(std::span<std::byte> buffer) override {
        if (buffer.empty()) return std::size_t{0};
        std::size_t want = buffer.size();
        if (m_end_known) {
            if (m_remaining == 0) return std::size_t{0};
            if (static_cast<std::uint64_t>(m_remaining) < want)
                want = static_cast<std::size_t>(m_remaining);
        }
        DESKEXT_TRY_ASSIGN(const std::size_t n, m_file.read_at(buffer.first(want), m_pos));
        if (n == 0 && m_end_known)
            return fail(ErrorCode::integrity, platform::utf8_of(m_file.path()) + " ends at byte " +
                                                  std::to_string(m_pos) + ", " +
                                                  std::to_string(m_remaining) +
                                                  " bytes before the end of its range");
        m_pos += static_cast<std::int64_t>(n);
        if (m_end_known) m_remaining -= static_cast<std::int64_t>(n);
        return n;
    }

private:
    platform::File m_file;
    std::int64_t m_pos;
    bool m_end_known;
    std::int64_t m_remaining;
};

}  // namespace

Result<std::unique_ptr<Reader>> open_file_reader(const std::filesystem::path& path,
                                                 std::int64_t offset, std::int64_t length) {
    if (offset < 0)
        return fail(ErrorCode::internal, "negative offset " + std::to_string(offset) + " for " +
                                             platform::utf8_of(path));
    DESKEXT_TRY_ASSIGN(auto file, platform::File::open_read(path));
    return std::unique_ptr<Reader>(
        std::make_unique<FileRangeReader>(std::move(file), offset, length));
}

}  // namespace deskext
