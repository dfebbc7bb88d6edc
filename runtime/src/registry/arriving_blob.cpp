#include "registry/arriving_blob.hpp"

#include <algorithm>

namespace deskext::registry {

void ArrivingBlob::wrote(std::int64_t bytes_in_file) {
    {
        const std::lock_guard lock(m_mutex);
        if (bytes_in_file <= m_written) return;
        m_written = bytes_in_file;
    }
    m_changed.notify_all();
}

void ArrivingBlob::finish(Result<void> outcome) {
    {
        const std::lock_guard lock(m_mutex);
        if (m_outcome) return;
        m_outcome = std::move(outcome);
    }
    m_changed.notify_all();
}

Result<std::int64_t> ArrivingBlob::wait_beyond(std::int64_t offset) {
    std::unique_lock lock(m_mutex);
    m_changed.wait(lock, [&] { return m_written > offset || m_outcome.has_value(); });
    // A failed download fails the read even where bytes remain: they were never verified.
    if (m_outcome && !*m_outcome) return std::unexpected(m_outcome->error());
    return m_written - offset;
}

namespace {

class ArrivingReader final : public Reader {
public:
    ArrivingReader(std::shared_ptr<ArrivingBlob> blob, std::unique_ptr<Reader> file)
        : m_blob(std::move(blob)), m_file(std::move(file)) {}

    [[nodiscard]] Result<std::size_t> read(std::span<std::byte> buffer) override {
        if (buffer.empty()) return std::size_t{0};
        DESKEXT_TRY_ASSIGN(const std::int64_t ready, m_blob->wait_beyond(m_offset));
        if (ready == 0) return std::size_t{0};
        const auto want = static_cast<std::size_t>(
            std::min<std::int64_t>(ready, static_cast<std::int64_t>(buffer.size())));
        DESKEXT_TRY_ASSIGN(const std::size_t n, m_file->read(buffer.first(want)));
        if (n == 0)
            return fail(ErrorCode::filesystem, "the blob file being downloaded ended early");
        m_offset += static_cast<std::int64_t>(n);
        return n;
    }

private:
    std::shared_ptr<ArrivingBlob> m_blob;
    std::unique_ptr<Reader> m_file;
    std::int64_t m_offset = 0;
};

}  // namespace

std::unique_ptr<Reader> read_arriving(std::shared_ptr<ArrivingBlob> blob,
                                      std::unique_ptr<Reader> file) {
    return std::make_unique<ArrivingReader>(std::move(blob), std::move(file));
}

VerifiedStream ArrivingBlob::verified_stream(std::shared_ptr<ArrivingBlob> blob,
                                             std::unique_ptr<Reader> file, Digest digest,
                                             std::int64_t size) {
    return VerifiedStream(read_arriving(std::move(blob), std::move(file)), std::move(digest),
                          size);
}

}  // namespace deskext::registry
