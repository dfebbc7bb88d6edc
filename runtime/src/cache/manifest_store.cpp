#include "cache/manifest_store.hpp"

#include <system_error>

#include "cache/last_use.hpp"
#include "cache/unflushed_entry.hpp"
#include "deskext/io/reader.hpp"

namespace deskext::cache {
namespace {

Result<std::filesystem::path> manifest_path(const BlobCache& cache, const Digest& digest) {
    DESKEXT_TRY_ASSIGN(const auto blob, cache.path_of(digest));
    return cache.dir() / "manifests" / "sha256" / blob.filename();
}

}  // namespace

std::optional<std::string> read_manifest(const BlobCache& cache, const Digest& digest,
                                         std::size_t cap) {
    auto path = manifest_path(cache, digest);
    if (!path) return std::nullopt;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(*path, ec)))
        return std::nullopt;
    std::optional<std::string> bytes;
    if (auto reader = open_file_reader(*path)) {
        if (auto text = read_all(**reader, cap); text && sha256_of(*text) == digest)
            bytes = std::move(*text);
    }
    if (!bytes)
        std::filesystem::remove(*path, ec);
    else
        mark_used(*path);
    return bytes;
}

Result<void> write_manifest(const BlobCache& cache, const Digest& digest, std::string_view bytes) {
    DESKEXT_TRY_ASSIGN(const auto path, manifest_path(cache, digest));
    return write_unflushed_entry(path, bytes);
}

void remove_manifest(const BlobCache& cache, const Digest& digest) {
    if (auto path = manifest_path(cache, digest)) {
        std::error_code ec;
        std::filesystem::remove(*path, ec);
    }
}

}  // namespace deskext::cache
