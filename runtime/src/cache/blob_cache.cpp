#include "cache/blob_cache.hpp"

#include <system_error>

#include <fmt/format.h>

#include "cache/cache_lock.hpp"
#include "cache/last_use.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/random_name.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::cache {
namespace {

bool valid_hex(std::string_view hex) {
    if (hex.size() != 64) return false;
    for (char c : hex) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

constexpr std::int64_t k_writeback_step = 8 << 20;

}  // namespace

BlobWriter::BlobWriter(BlobCache* cache, Digest digest, std::int64_t expected_size,
                       std::filesystem::path temp)
    : m_cache(cache),
      m_digest(std::move(digest)),
      m_expected_size(expected_size),
      m_temp(std::move(temp)),
      m_out(m_temp, std::ios::binary | std::ios::trunc),
      m_hash(std::make_unique<Sha256>()) {}

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : m_cache(other.m_cache),
      m_digest(std::move(other.m_digest)),
      m_expected_size(other.m_expected_size),
      m_temp(std::move(other.m_temp)),
      m_out(std::move(other.m_out)),
      m_hash(std::move(other.m_hash)),
      m_size(other.m_size),
      m_kept(other.m_kept),
      m_writeback_started(other.m_writeback_started),
      m_verified(other.m_verified),
      m_done(other.m_done) {
    other.m_done = true;
}

BlobWriter::~BlobWriter() { discard(); }

void BlobWriter::discard() {
    if (m_done) return;
    m_done = true;
    m_out.close();
    std::error_code ec;
    std::filesystem::remove(m_temp, ec);
}

Result<void> BlobWriter::write(std::string_view chunk) {
    if (m_done || !m_out) {
        return fail(ErrorCode::filesystem,
                    fmt::format("cannot write {}", platform::utf8_of(m_temp)));
    }
    if (m_size + static_cast<std::int64_t>(chunk.size()) > m_expected_size) {
        return fail(ErrorCode::integrity,
                    fmt::format("blob {} is larger than its descriptor says ({} bytes)",
                                m_digest.str(), m_expected_size));
    }
    m_hash->update(chunk);
    if (m_size < m_kept) {
        const auto again = std::min<std::int64_t>(m_kept - m_size, std::ssize(chunk));
        DESKEXT_TRY(compare_with_file(chunk.substr(0, static_cast<std::size_t>(again))));
        m_size += again;
        chunk.remove_prefix(static_cast<std::size_t>(again));
        if (chunk.empty()) return {};
    }
    m_out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    m_out.flush();
    if (!m_out) {
        return fail(ErrorCode::filesystem,
                    fmt::format("cannot write {} (disk full?)", platform::utf8_of(m_temp)));
    }
    m_size += static_cast<std::int64_t>(chunk.size());
    // The disk writes the blob while it downloads, so that commit()'s flush finds little left
    // to write instead of the whole layer.
    if (m_size - m_writeback_started >= k_writeback_step) {
        platform::start_writeback(m_temp);
        m_writeback_started = m_size;
    }
    return {};
}

Result<void> BlobWriter::compare_with_file(std::string_view chunk) {
    DESKEXT_TRY_ASSIGN(auto in,
                       open_file_reader(m_temp, m_size, static_cast<std::int64_t>(chunk.size())));
    DESKEXT_TRY_ASSIGN(const auto before, read_all(*in, chunk.size(), ErrorCode::filesystem));
    if (before != chunk) {
        return fail(ErrorCode::integrity,
                    fmt::format("blob {} changed when its download started over (at byte {})",
                                m_digest.str(), m_size));
    }
    return {};
}

Result<void> BlobWriter::restart() {
    if (m_done || !m_out)
        return fail(ErrorCode::filesystem,
                    fmt::format("cannot write {}", platform::utf8_of(m_temp)));
    m_kept = std::max(m_kept, m_size);
    m_hash = std::make_unique<Sha256>();
    m_size = 0;
    return {};
}

Result<void> BlobWriter::verify() {
    if (m_done) return fail(ErrorCode::internal, "blob writer used after commit");
    if (m_verified) return {};
    m_out.close();
    if (!m_out)
        return fail(ErrorCode::filesystem,
                    fmt::format("cannot write {}", platform::utf8_of(m_temp)));
    const auto actual = m_hash->finish();
    if (m_size != m_expected_size) {
        discard();
        return fail(ErrorCode::integrity, fmt::format("blob {} is truncated: {} of {} bytes",
                                                      m_digest.str(), m_size, m_expected_size));
    }
    if (actual != m_digest) {
        discard();
        return fail(ErrorCode::integrity, fmt::format("blob {} does not match its digest (got {})",
                                                      m_digest.str(), actual.str()));
    }
    m_verified = true;
    return {};
}

Result<void> BlobWriter::commit() {
    DESKEXT_TRY(verify());
    auto fsynced = platform::fsync_path(m_temp);
    if (!fsynced) {
        discard();
        return std::unexpected(std::move(fsynced).error());
    }
    DESKEXT_TRY_ASSIGN(const auto final_path, m_cache->path_of(m_digest));
    auto renamed = platform::atomic_rename(m_temp, final_path);
    if (!renamed) {
        discard();
        return std::unexpected(std::move(renamed).error());
    }
    m_done = true;
    return {};
}

Result<BlobCache> BlobCache::open(std::filesystem::path dir) {
    DESKEXT_TRY(platform::create_directories(dir / "blobs" / "sha256"));
    DESKEXT_TRY_ASSIGN(auto lock, platform::FileLock::acquire(lock_path(dir),
                                                              platform::LockMode::shared,
                                                              reader_lock_wait));
    return BlobCache(std::move(dir), std::move(lock));
}

Result<std::filesystem::path> BlobCache::path_of(const Digest& digest) const {
    if (digest.algorithm() != "sha256" || !valid_hex(digest.hex())) {
        return fail(ErrorCode::usage,
                    fmt::format("the blob cache holds sha256 digests only, not {}", digest.str()));
    }
    return m_dir / "blobs" / "sha256" / digest.hex();
}

Result<bool> BlobCache::has(const Digest& digest, std::int64_t size) {
    DESKEXT_TRY_ASSIGN(const auto path, path_of(digest));
    std::error_code ec;
    const auto status = std::filesystem::symlink_status(path, ec);
    if (ec || !std::filesystem::is_regular_file(status)) return false;
    const auto actual_size = std::filesystem::file_size(path, ec);
    if (ec || static_cast<std::int64_t>(actual_size) != size) {
        // A damaged entry (disk error, tampering): drop it so that it is fetched again.
        std::filesystem::remove(path, ec);
        return false;
    }
    mark_used(path);
    return true;
}

void BlobCache::remove(const Digest& digest) {
    auto path = path_of(digest);
    if (!path) return;
    std::error_code ec;
    std::filesystem::remove(*path, ec);
}

Result<std::unique_ptr<VerifyingReader>> BlobCache::open_entry(const Digest& digest,
                                                               std::int64_t size) {
    DESKEXT_TRY_ASSIGN(const auto present, has(digest, size));
    if (!present) return fail(ErrorCode::not_found, digest.str() + " is not in the blob cache");
    DESKEXT_TRY_ASSIGN(const auto path, path_of(digest));
    DESKEXT_TRY_ASSIGN(auto inner, open_file_reader(path));
    return std::make_unique<VerifyingReader>(std::move(inner), digest, size);
}

Result<BlobWriter> BlobCache::begin(const Digest& digest, std::int64_t size) {
    DESKEXT_TRY_ASSIGN(const auto final_path, path_of(digest));
    auto temp = final_path.parent_path() /
                (".tmp-" + digest.hex().substr(0, 16) + "-" + platform::random_name());
    BlobWriter writer(this, digest, size, std::move(temp));
    if (!writer.m_out) {
        return fail(ErrorCode::filesystem, fmt::format("cannot create a file in the blob cache {}",
                                                       platform::utf8_of(m_dir)));
    }
    return writer;
}

}  // namespace deskext::cache
