#pragma once
// The content-addressed blob cache shared by every extension (docs/architecture.md, "On-disk
// layout"): <dir>/blobs/sha256/<hex>. Entries appear only by an atomic rename of a fully
// written temporary file whose digest and size were checked (the trust model of containerd's
// content store): a present entry of the right size is taken as verified without hashing it
// again, and every read of it still verifies while it streams, so that damage done to the file
// since is caught when it is read (the reader then removes the entry: see remove()).

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string_view>

#include "deskext/digest.hpp"
#include "deskext/io/reader.hpp"
#include "deskext/platform/file_lock.hpp"

namespace deskext::cache {

class BlobCache;

// A new entry being written: a temporary file in the cache directory, hashed as it is written.
// Removed unless commit() succeeded.
class BlobWriter {
public:
    ~BlobWriter();
    BlobWriter(BlobWriter&&) noexcept;
    BlobWriter& operator=(BlobWriter&&) = delete;
    BlobWriter(const BlobWriter&) = delete;
    BlobWriter& operator=(const BlobWriter&) = delete;

    // More bytes than the expected size fail at once (integrity). Each write reaches the file
    // before it returns, so that the file can be read while it is written (temp_path()).
    [[nodiscard]] Result<void> write(std::string_view chunk);
    // Starts over from the first byte (the server could not resume). What the file holds
    // already may have been read, so it is kept: the bytes that come again are compared with
    // it instead of written, and a difference fails (integrity).
    [[nodiscard]] Result<void> restart();
    [[nodiscard]] std::int64_t size() const { return m_size; }
    // How many bytes from the start the file holds; never decreases.
    [[nodiscard]] std::int64_t bytes_in_file() const { return std::max(m_size, m_kept); }
    [[nodiscard]] const std::filesystem::path& temp_path() const { return m_temp; }
    // Checks digest and size once the last byte is written (integrity when they differ; the
    // file is removed then).
    [[nodiscard]] Result<void> verify();
    // Verifies when not yet done, flushes and renames into place.
    [[nodiscard]] Result<void> commit();

private:
    friend class BlobCache;
    BlobWriter(BlobCache* cache, Digest digest, std::int64_t expected_size,
               std::filesystem::path temp);
    void discard();
    Result<void> compare_with_file(std::string_view chunk);

    BlobCache* m_cache;
    Digest m_digest;
    std::int64_t m_expected_size;
    std::filesystem::path m_temp;
    std::ofstream m_out;
    std::unique_ptr<Sha256> m_hash;
    std::int64_t m_size = 0;  // bytes of this attempt
    std::int64_t m_kept = 0;  // bytes an earlier attempt left in the file
    std::int64_t m_writeback_started = 0;  // bytes handed to the disk by start_writeback
    bool m_verified = false;
    bool m_done = false;
};

class BlobCache {
public:
    // Creates <dir>/blobs/sha256 when needed and holds the cache's lock shared until destroyed,
    // so that no prune removes an entry meanwhile (cache_lock.hpp; busy when a prune holds it
    // longer than reader_lock_wait).
    [[nodiscard]] static Result<BlobCache> open(std::filesystem::path dir);

    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
    // <dir>/blobs/sha256/<hex>; usage error for another algorithm.
    [[nodiscard]] Result<std::filesystem::path> path_of(const Digest& digest) const;

    // Whether an entry exists: a regular file of the right size (one of another size is
    // removed and reported absent). Its content is not hashed here: it was when it was
    // committed, and open_entry verifies it again as it is read. A present entry is marked used
    // (last_use.hpp).
    [[nodiscard]] Result<bool> has(const Digest& digest, std::int64_t size);

    // Drops an entry found damaged while it was read, so that it is fetched again.
    void remove(const Digest& digest);

    // The entry as a stream that verifies again while it is read; not_found when absent.
    [[nodiscard]] Result<std::unique_ptr<VerifyingReader>> open_entry(const Digest& digest,
                                                                      std::int64_t size);

    [[nodiscard]] Result<BlobWriter> begin(const Digest& digest, std::int64_t size);

private:
    friend class BlobWriter;
    BlobCache(std::filesystem::path dir, platform::FileLock lock)
        : m_dir(std::move(dir)), m_lock(std::move(lock)) {}
    std::filesystem::path m_dir;
    platform::FileLock m_lock;
};

}  // namespace deskext::cache
