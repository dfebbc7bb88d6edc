#include "export/bundle_writer.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "deskext/platform/utf8.hpp"

#include "source/blob_digest.hpp"

namespace deskext::bundle {
namespace {

constexpr std::string_view layout_marker = R"({"imageLayoutVersion":"1.0.0"})";
constexpr std::size_t copy_chunk = std::size_t{1} << 20;

struct EntryDeleter {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};

}  // namespace

BundleWriter::BundleWriter(BundleWriter&& other) noexcept
    : m_file(std::move(other.m_file)),
      m_archive(std::exchange(other.m_archive, nullptr)),
      m_blobs(std::move(other.m_blobs)) {}

// libarchive closes nothing it did not open: the pending file closes and removes itself.
BundleWriter::~BundleWriter() {
    if (m_archive != nullptr) archive_write_free(m_archive);
}

std::string BundleWriter::archive_error() const {
    const char* text = archive_error_string(m_archive);
    return text != nullptr ? text : "write failed";
}

Result<BundleWriter> BundleWriter::create(std::filesystem::path destination) {
    if (destination.filename().empty())
        return fail(ErrorCode::usage, fmt::format("--output {}: expected a file name, not a "
                                                  "directory",
                                                  platform::utf8_of(destination)));
    std::error_code ec;
    if (std::filesystem::is_directory(destination, ec))
        return fail(ErrorCode::usage,
                    fmt::format("--output {} is a directory; name the bundle file to write",
                                platform::utf8_of(destination)));
    DESKEXT_TRY_ASSIGN(auto file, platform::PendingFile::create(std::move(destination)));
    BundleWriter writer(std::move(file));
    writer.m_archive = archive_write_new();
    if (writer.m_archive == nullptr) throw std::bad_alloc();
    // pax only where ustar cannot say it (members over 8 GiB); GNU tar, skopeo and containerd
    // read both.
    if (archive_write_set_format_pax_restricted(writer.m_archive) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(writer.m_archive, 1) != ARCHIVE_OK ||
        archive_write_open_fd(writer.m_archive, writer.m_file.fd()) != ARCHIVE_OK)
        return fail(ErrorCode::internal,
                    fmt::format("cannot start the tar {}: {}", writer.m_file.describe(),
                                writer.archive_error()));
    DESKEXT_TRY(writer.add_member("oci-layout", layout_marker));
    return writer;
}

Result<void> BundleWriter::begin_member(const std::string& name, std::int64_t size) {
    std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
    if (!entry) throw std::bad_alloc();
    archive_entry_set_pathname(entry.get(), name.c_str());
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_size(entry.get(), size);
    // No time or owner: the same images give the same bundle, byte for byte.
    archive_entry_set_mtime(entry.get(), 0, 0);
    if (archive_write_header(m_archive, entry.get()) != ARCHIVE_OK)
        return fail(ErrorCode::filesystem, fmt::format("cannot write {} to {}: {}", name,
                                                       m_file.describe(), archive_error()));
    return {};
}

Result<void> BundleWriter::write_data(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const la_ssize_t written = archive_write_data(m_archive, bytes, size);
        if (written <= 0)
            return fail(ErrorCode::filesystem,
                        fmt::format("cannot write {}: {}", m_file.describe(), archive_error()));
        bytes += written;
        size -= static_cast<std::size_t>(written);
    }
    return {};
}

Result<void> BundleWriter::add_member(const std::string& name, std::string_view bytes) {
    DESKEXT_TRY(begin_member(name, static_cast<std::int64_t>(bytes.size())));
    return write_data(bytes.data(), bytes.size());
}

Result<void> BundleWriter::add_blob(const Digest& digest, std::string_view bytes) {
    if (has_blob(digest)) return {};
    if (sha256_of(bytes) != digest)
        return fail(ErrorCode::integrity,
                    fmt::format("document {} does not match its digest", digest.str()));
    DESKEXT_TRY_ASSIGN(const auto name, source::blob_member_name(digest));
    DESKEXT_TRY(add_member(name, bytes));
    m_blobs.insert(digest);
    return {};
}

Result<void> BundleWriter::copy_blob(const oci::Descriptor& descriptor, Reader& reader,
                                     std::size_t index, const layer::ProgressFn& progress) {
    if (has_blob(descriptor.digest)) return {};
    DESKEXT_TRY_ASSIGN(const auto name, source::blob_member_name(descriptor.digest));
    if (descriptor.size < 0)
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} has a negative size", descriptor.digest.str()));
    DESKEXT_TRY(begin_member(name, descriptor.size));
    layer::LayerProgress state{index, 0, descriptor.size};
    if (progress) progress(state);
    std::vector<std::byte> buffer(copy_chunk);
    for (;;) {
        // The reader fails on a byte past the descriptor's size, and at its end on a short blob
        // or a wrong digest: what reaches the tar is never more than the header promised.
        DESKEXT_TRY_ASSIGN(const auto n, reader.read(buffer));
        if (n == 0) break;
        DESKEXT_TRY(write_data(buffer.data(), n));
        state.bytes_done += static_cast<std::int64_t>(n);
        if (progress) progress(state);
    }
    m_blobs.insert(descriptor.digest);
    return {};
}

Result<std::int64_t> BundleWriter::commit(std::string_view index_json) {
    DESKEXT_TRY(add_member("index.json", index_json));
    if (archive_write_close(m_archive) != ARCHIVE_OK)
        return fail(ErrorCode::filesystem,
                    fmt::format("cannot finish {}: {}", m_file.describe(), archive_error()));
    archive_write_free(m_archive);
    m_archive = nullptr;
    return m_file.publish();
}

}  // namespace deskext::bundle
