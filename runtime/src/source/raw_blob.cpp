// ImageSource::open_blob: every source's blobs are verified here, around its open_raw.

#include "deskext/source/raw_blob.hpp"

#include <fmt/format.h>

#include "deskext/source/image_source.hpp"

namespace deskext {
namespace {

// Hands a verification failure to the source's MismatchHook, with the stream closed first:
// Windows keeps the name of a removed file until its last handle is closed.
class MismatchReader final : public Reader {
public:
    MismatchReader(std::unique_ptr<Reader> inner, RawBlob::MismatchHook on_mismatch)
        : m_inner(std::move(inner)), m_on_mismatch(std::move(on_mismatch)) {}

    [[nodiscard]] Result<std::size_t> read(std::span<std::byte> buffer) override {
        if (m_failed) return std::unexpected(*m_failed);
        auto got = m_inner->read(buffer);
        if (!got && got.error().code == ErrorCode::integrity) {
            m_inner.reset();
            m_failed = m_on_mismatch(std::move(got).error());
            return std::unexpected(*m_failed);
        }
        return got;
    }

private:
    std::unique_ptr<Reader> m_inner;
    RawBlob::MismatchHook m_on_mismatch;
    std::optional<Error> m_failed;  // once failed: the error every read gives
};

}  // namespace

VerifiedStream::VerifiedStream(std::unique_ptr<VerifyingReader> reader)
    : m_digest(reader->expected()), m_size(reader->expected_size()) {
    m_reader = std::move(reader);
}

VerifiedStream::VerifiedStream(std::unique_ptr<Reader> reader, Digest digest, std::int64_t size)
    : m_reader(std::move(reader)), m_digest(std::move(digest)), m_size(size) {}

RawBlob::RawBlob(std::unique_ptr<Reader> unchecked, MismatchHook on_mismatch)
    : m_unchecked(std::move(unchecked)), m_on_mismatch(std::move(on_mismatch)) {}

RawBlob::RawBlob(VerifiedStream verified, MismatchHook on_mismatch)
    : m_verified(std::move(verified)), m_on_mismatch(std::move(on_mismatch)) {}

Result<std::unique_ptr<Reader>> RawBlob::verified_as(const Digest& digest, std::int64_t size) && {
    std::unique_ptr<Reader> stream;
    if (m_verified) {
        // A bug, not bad input: the source verified another blob than the one asked for.
        if (m_verified->digest() != digest || m_verified->size() != size) {
            return fail(ErrorCode::internal,
                        fmt::format("blob {} ({} bytes) was opened as {} ({} bytes)",
                                    m_verified->digest().str(), m_verified->size(), digest.str(),
                                    size));
        }
        stream = std::move(*m_verified).release();
    } else {
        stream = std::make_unique<VerifyingReader>(std::move(m_unchecked), digest, size);
    }
    if (m_on_mismatch) {
        stream = std::make_unique<MismatchReader>(std::move(stream), std::move(m_on_mismatch));
    }
    return stream;
}

Result<std::unique_ptr<Reader>> ImageSource::open_blob(const oci::Descriptor& descriptor) {
    DESKEXT_TRY_ASSIGN(auto raw, open_raw(descriptor));
    return std::move(raw).verified_as(descriptor.digest, descriptor.size);
}

}  // namespace deskext
