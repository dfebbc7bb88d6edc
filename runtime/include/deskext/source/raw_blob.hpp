#pragma once
// What a source hands ImageSource::open_blob: a blob's bytes as the source has them, which
// open_blob verifies against the descriptor, or a stream verified already, which it takes as it
// is. A source cannot skip the verification: claiming a stream is verified takes a
// VerifiedStream, and only code that verifies makes one.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "deskext/digest.hpp"
#include "deskext/io/reader.hpp"

namespace deskext {

namespace registry {
class ArrivingBlob;
}

class ImageSource;

// A blob stream that checks itself against a digest and size while it is read, and fails with
// ErrorCode::integrity at its end when they differ.
class VerifiedStream {
public:
    // A stream a VerifyingReader checks (the blob cache's entries: cache::BlobCache::open_entry).
    explicit VerifiedStream(std::unique_ptr<VerifyingReader> reader);

    [[nodiscard]] const Digest& digest() const { return m_digest; }
    [[nodiscard]] std::int64_t size() const { return m_size; }
    [[nodiscard]] std::unique_ptr<Reader> release() && { return std::move(m_reader); }

private:
    // A blob the registry source downloads is hashed as it arrives into the blob cache, and the
    // stream that reads it meanwhile ends only once it matched (registry/arriving_blob.hpp).
    friend class registry::ArrivingBlob;
    VerifiedStream(std::unique_ptr<Reader> reader, Digest digest, std::int64_t size);

    std::unique_ptr<Reader> m_reader;
    Digest m_digest;
    std::int64_t m_size;
};

class RawBlob {
public:
    // Called once when the blob fails verification (ErrorCode::integrity), after its stream was
    // closed; what it returns is the error of that read and of every later one. The registry
    // source removes a damaged cache entry there.
    using MismatchHook = std::function<Error(Error)>;

    // Bytes nobody checked yet: open_blob verifies them while they are read.
    explicit RawBlob(std::unique_ptr<Reader> unchecked, MismatchHook on_mismatch = {});
    // A stream verified already: open_blob takes it as it is, once sure that it is verified
    // against the descriptor asked for.
    explicit RawBlob(VerifiedStream verified, MismatchHook on_mismatch = {});

private:
    friend class ImageSource;
    // The stream open_blob gives for the blob of `digest` and `size`.
    [[nodiscard]] Result<std::unique_ptr<Reader>> verified_as(const Digest& digest,
                                                              std::int64_t size) &&;

    std::unique_ptr<Reader> m_unchecked;
    std::optional<VerifiedStream> m_verified;
    MismatchHook m_on_mismatch;
};

}  // namespace deskext
