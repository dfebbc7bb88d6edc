#pragma once
// A blob read while it is being downloaded. The registry source's background download writes
// each blob into its blob-cache file (hashing it as it goes) and tells its ArrivingBlob how far
// the file is written; the installer's read of the layer takes the bytes from that file as they
// arrive, one step behind the network, and reaches the end of the stream only once the
// download matched the blob's digest and size. Each byte is received, hashed and inflated once,
// and nothing waits for a whole blob to be on disk.

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>

#include "deskext/io/reader.hpp"
#include "deskext/source/raw_blob.hpp"

namespace deskext::registry {

class ArrivingBlob {
public:
    // The download side.
    void wrote(std::int64_t bytes_in_file);
    // The blob matched and is in the cache, or why not. Only the first call counts.
    void finish(Result<void> outcome);

    // The reading side: blocks until the file holds more than `offset` bytes or the download
    // ended. How many bytes may be read at `offset`; 0 at the end of a verified blob; the
    // download's error if it failed.
    [[nodiscard]] Result<std::int64_t> wait_beyond(std::int64_t offset);

    // read_arriving as the verified stream of the blob `digest`, `size`: the download hashes
    // the blob as it writes it (cache::BlobWriter) and the stream ends only once it matched.
    [[nodiscard]] static VerifiedStream verified_stream(std::shared_ptr<ArrivingBlob> blob,
                                                        std::unique_ptr<Reader> file,
                                                        Digest digest, std::int64_t size);

private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::int64_t m_written = 0;
    std::optional<Result<void>> m_outcome;
};

// The stream of an arriving blob, over `file` (a reader of the file being written, from its
// first byte).
[[nodiscard]] std::unique_ptr<Reader> read_arriving(std::shared_ptr<ArrivingBlob> blob,
                                                    std::unique_ptr<Reader> file);

}  // namespace deskext::registry
