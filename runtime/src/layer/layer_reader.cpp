#include "deskext/layer/layer_reader.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "archive/archive_read_handle.hpp"
#include "layer/entry_path.hpp"
#include "layer/tar_stream.hpp"
#ifdef DESKEXT_HAVE_ISAL
#include "layer/gzip_inflate_reader.hpp"
#endif

namespace deskext::layer {

namespace {

// libarchive is fed in chunks this big (compressed bytes, or the tar ISA-L inflated).
constexpr std::size_t k_buffer_size = 256 * 1024;
// The ratio cap is only meaningful once the layer has produced some output: tiny layers (an
// empty file in a tar is 10 KiB of zeros from a few dozen compressed bytes) are always fine.
constexpr std::int64_t k_ratio_threshold = std::int64_t{1} << 20;

// gzip layers are inflated by ISA-L when the build has it (GzipInflateReader), two to three
// times as fast as zlib in libarchive's gzip filter: libarchive then passes the tar through.
#ifdef DESKEXT_HAVE_ISAL
constexpr bool k_inflate_gzip_ourselves = true;
#else
constexpr bool k_inflate_gzip_ourselves = false;
#endif

la_int64_t filter_code_for(oci::Compression compression) {
    switch (compression) {
        case oci::Compression::none: return ARCHIVE_FILTER_NONE;
        case oci::Compression::gzip:
            return k_inflate_gzip_ourselves ? ARCHIVE_FILTER_NONE : ARCHIVE_FILTER_GZIP;
        case oci::Compression::zstd: return ARCHIVE_FILTER_ZSTD;
    }
    return ARCHIVE_FILTER_NONE;
}

const char* compression_name(oci::Compression compression) {
    switch (compression) {
        case oci::Compression::none: return "uncompressed";
        case oci::Compression::gzip: return "gzip";
        case oci::Compression::zstd: return "zstd";
    }
    return "?";
}

// A sparse map of more regions than this is refused: each costs memory while the entry is read.
constexpr std::size_t k_max_sparse_regions = std::size_t{1} << 20;

// How a type flag is shown in a message.
std::string typeflag_text(char typeflag) {
    const auto c = static_cast<unsigned char>(typeflag);
    if (c > 0x20 && c < 0x7f) return fmt::format("'{}'", typeflag);
    return fmt::format("{}", static_cast<unsigned>(c));
}

}  // namespace

struct LayerReader::Impl {
    Impl(Reader& source_, oci::Compression compression_, const Limits& limits_)
        : source(source_),
          compression(compression_),
          limits(limits_),
          buffer(k_buffer_size),
          tar_input(*this),
          tar(tar_input, k_max_sparse_regions) {}

    // The tar, decompressed: the data of libarchive's "raw" format, taken from the blocks
    // libarchive holds (copied once, into what TarStream reads), for TarStream's entries.
    struct TarInput final : Reader {
        explicit TarInput(Impl& impl_) : impl(impl_) {}
        Result<std::size_t> read(std::span<std::byte> out) override {
            if (left == 0 && !impl.next_raw_block(block, left)) {
                if (failed) return std::unexpected(*failed);
                return 0;
            }
            const std::size_t n = std::min(out.size(), left);
            std::memcpy(out.data(), block, n);
            block += n;
            left -= n;
            return n;
        }
        Impl& impl;
        const std::byte* block = nullptr;
        std::size_t left = 0;
        std::optional<Error> failed;
    };

    Reader& source;
    oci::Compression compression;
    Limits limits;
    std::vector<std::byte> buffer;   // bytes handed to libarchive
    std::vector<std::byte> scratch;  // entry data skipped by next(), gzip data after the tar
    ArchiveReadHandle handle;
#ifdef DESKEXT_HAVE_ISAL
    std::unique_ptr<GzipInflateReader> inflater;  // gzip layers: libarchive reads its output
#endif
    std::optional<Error> source_error;  // what the source said when a read failed
    std::optional<Error> gzip_error;    // why the gzip stream is invalid, when inflating failed
    bool not_gzip = false;              // ... because it is no gzip stream at all
    std::optional<Error> sticky;        // once failed, every call reports the same error
    bool source_eof = false;  // the source returned 0 to a read of ours
    bool tar_eof = false;     // the stream libarchive reads returned 0
    bool at_end = false;
    bool entry_open = false;   // the current entry may still have data to read or skip
    bool entry_is_file = false;
    std::int64_t compressed = 0;  // bytes read from the source here (not by the inflater)
    std::int64_t data_bytes = 0;  // entry data handed out or skipped (holes of sparse files too)
    std::size_t entries = 0;
    bool raw_started = false;  // libarchive's one raw entry was opened
    bool raw_done = false;
    TarInput tar_input;
    TarStream tar;
    std::string entry_name;  // the current entry's name as written, for messages

    // The next block of the decompressed tar; false at its end or when reading failed (the
    // error is then in tar_input.failed).
    bool next_raw_block(const std::byte*& block, std::size_t& size) {
        if (raw_done) return false;
        if (!raw_started) {
            raw_started = true;
            archive_entry* e = nullptr;
            const int rc = archive_read_next_header(a(), &e);
            if (rc == ARCHIVE_EOF) return !(raw_done = true);
            if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return raw_failed();
        }
        const void* data = nullptr;
        std::size_t length = 0;
        la_int64_t offset = 0;
        const int rc = archive_read_data_block(a(), &data, &length, &offset);
        if (rc == ARCHIVE_EOF) return !(raw_done = true);
        if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) return raw_failed();
        block = static_cast<const std::byte*>(data);
        size = length;
        return true;
    }

    bool raw_failed() {
        raw_done = true;
        tar_input.failed = archive_failure().error();
        return false;
    }

    // A failure of the tar stream: the decompressed stream's own error as it is, or the tar's
    // contents are invalid, said with where (and in which entry, for its data).
    std::unexpected<Error> tar_failure(Error error, bool in_entry_data) {
        if (tar.input_failed()) return set_failed(std::move(error));
        const std::string where = in_entry_data
                                      ? "layer entry \"" + entry_name + "\": "
                                      : std::string{};
        return invalid_layer(fmt::format("{}{} (at entry {}, {} bytes into the tar)", where,
                                         error.message, in_entry_data ? entries : entries + 1,
                                         tar.position()));
    }

    [[nodiscard]] archive* a() const { return handle.get(); }

    [[nodiscard]] bool inflating() const {
#ifdef DESKEXT_HAVE_ISAL
        return inflater != nullptr;
#else
        return false;
#endif
    }

    // What libarchive reads: the inflated stream, or the source itself.
    [[nodiscard]] Reader& tar_stream() {
#ifdef DESKEXT_HAVE_ISAL
        if (inflater) return *inflater;
#endif
        return source;
    }

    [[nodiscard]] bool source_done() const {
#ifdef DESKEXT_HAVE_ISAL
        if (inflater && inflater->source_at_end()) return true;
#endif
        return source_eof;
    }

    [[nodiscard]] std::int64_t compressed_bytes() const {
#ifdef DESKEXT_HAVE_ISAL
        if (inflater) return compressed + inflater->bytes_in();
#endif
        return compressed;
    }

    [[nodiscard]] std::int64_t uncompressed() const {
#ifdef DESKEXT_HAVE_ISAL
        if (inflater) return inflater->bytes_out();
#endif
        const la_int64_t n = archive_filter_bytes(a(), 0);
        return n < 0 ? 0 : static_cast<std::int64_t>(n);
    }

    // Remembers why a read of the tar stream failed: the source's own error (integrity,
    // network), or invalid gzip data found by the inflater.
    void tar_stream_failed(Error error) {
#ifdef DESKEXT_HAVE_ISAL
        if (inflater && inflater->failure() != GzipInflateReader::Failure::source) {
            not_gzip = inflater->failure() == GzipInflateReader::Failure::not_gzip;
            gzip_error = std::move(error);
            return;
        }
#endif
        source_error = std::move(error);
    }

    // Reads the source to its end, past what libarchive needed, for the source's own checks.
    Result<void> drain_source() {
        while (!source_done()) {
            auto n = source.read(buffer);
            if (!n) return set_failed(std::move(n).error());
            if (*n == 0) source_eof = true;
            compressed += static_cast<std::int64_t>(*n);
        }
        return {};
    }

    std::unexpected<Error> set_failed(Error error) {
        sticky = error;
        return std::unexpected(std::move(error));
    }

    // The error of a failed libarchive call: the source's own error when a read from it failed
    // (so an integrity error stays one), otherwise the archive is not a valid tar.
    std::unexpected<Error> archive_failure() {
        if (source_error) {
            Error error = std::move(*source_error);
            source_error.reset();
            return set_failed(std::move(error));
        }
        if (gzip_error) {
            Error error = std::move(*gzip_error);
            gzip_error.reset();
            if (not_gzip) return media_type_mismatch();
            return invalid_layer(error.message);
        }
        // libarchive's own reason (a broken compressed stream), or none: where it stopped says
        // the rest.
        const char* message = archive_error_string(a());
        return invalid_layer(fmt::format(
            "{} (at entry {}, {} bytes into the tar)",
            message != nullptr && *message != '\0' ? message : "malformed tar data",
            entries + 1, uncompressed()));
    }

    // The layer is malformed. A blob damaged in transit usually breaks the decompressor before
    // its end is reached: the rest is read first, so that a digest mismatch is reported as what
    // it is (integrity) rather than as a malformed layer. The source is bounded by the size in
    // its descriptor.
    std::unexpected<Error> invalid_layer(const std::string& why) {
        if (auto drained = drain_source(); !drained) return std::unexpected(drained.error());
        return set_failed(Error{ErrorCode::invalid_extension, "layer is not a valid tar: " + why});
    }

    std::unexpected<Error> media_type_mismatch() {
        return invalid_layer(
            std::string("its media type says ") + compression_name(compression) +
            " but the data is " +
            (compression == oci::Compression::none ? "compressed" : "not compressed that way"));
    }

    // The tar ends at its end-of-archive blocks. The rest of a gzip stream is inflated all
    // the same, under the same limits, so that every member's CRC-32 and length are checked.
    Result<void> inflate_rest() {
        if (!inflating() || tar_eof) return {};
        if (scratch.empty()) scratch.resize(k_buffer_size);
        for (;;) {
            auto n = tar_stream().read(scratch);
            if (!n) {
                tar_stream_failed(std::move(n).error());
                return archive_failure();
            }
            if (*n == 0) break;
            DESKEXT_TRY(check_limits());
        }
        tar_eof = true;
        return {};
    }

    Result<void> check_limits() {
        // Entry data can exceed the tar stream it comes from (sparse holes are produced, not
        // stored): the larger of the two is what the layer costs.
        const std::int64_t out = std::max(uncompressed(), data_bytes);
        if (out > limits.max_uncompressed_bytes)
            return set_failed(Error{ErrorCode::invalid_extension,
                                    "layer expands to more than " +
                                        std::to_string(limits.max_uncompressed_bytes) +
                                        " bytes: refusing a decompression bomb (raise with "
                                        "--max-uncompressed-size)"});
        const std::int64_t ratio = limits.max_compression_ratio;
        const std::int64_t in = compressed_bytes();
        if (out > k_ratio_threshold && ratio > 0 && (in == 0 || out / in > ratio))
            return set_failed(Error{ErrorCode::invalid_extension,
                                    "layer expands more than " + std::to_string(ratio) +
                                        " times: refusing a decompression bomb (raise with "
                                        "--max-ratio)"});
        return {};
    }

    Result<std::size_t> read_entry_data(std::span<std::byte> out) {
        auto n = tar.read(out);
        if (!n) return tar_failure(std::move(n).error(), true);
        if (*n == 0) entry_open = false;
        data_bytes += static_cast<std::int64_t>(*n);
        DESKEXT_TRY(check_limits());
        return *n;
    }

    // Reads the rest of the current entry's data through read_entry_data rather than skipping
    // it in one step, so that the limits are checked while a huge entry is decompressed (the
    // holes of a sparse file too) and its data is checked as containerd checks it.
    Result<void> skip_entry() {
        if (!entry_open) return {};
        if (scratch.empty()) scratch.resize(k_buffer_size);
        while (entry_open) DESKEXT_TRY(read_entry_data(scratch));
        return {};
    }

    std::unexpected<Error> refuse_entry(const std::string& why) {
        return set_failed(
            Error{ErrorCode::invalid_extension, "layer entry \"" + entry_name + "\": " + why});
    }

    // The entry as deskext sees it. Its type decides as containerd's applier does
    // (archive/tar.go, createTarFile): files, directories, links, devices and FIFOs; any other
    // type refuses the layer.
    Result<Entry> make_entry(const TarHeader& header) {
        DESKEXT_TRY_ASSIGN(std::string path, normalise_entry_path(header.name,
                                                                  limits.max_path_bytes,
                                                                  "layer entry"));
        Entry entry;
        entry.path = std::move(path);
        entry.mode = static_cast<std::uint32_t>(header.mode) & 07777u;
        switch (header.typeflag) {
            case '0':
                entry.type = EntryType::file;
                entry.size = header.size;
                break;
            case '1': {
                entry.type = EntryType::hardlink;
                // A hard link names another entry of the image: it is an image path like any name.
                DESKEXT_TRY_ASSIGN(entry.link_target,
                                   normalise_entry_path(header.linkname, limits.max_path_bytes,
                                                        "layer entry \"" + entry_name +
                                                            "\": hard link target"));
                break;
            }
            case '2':
                entry.type = EntryType::symlink;
                // Kept as written: it is resolved inside the image root by whoever follows it.
                entry.link_target = header.linkname;
                if (entry.link_target.size() > limits.max_path_bytes)
                    return refuse_entry("symlink target is longer than " +
                                        std::to_string(limits.max_path_bytes) + " bytes");
                break;
            case '5': entry.type = EntryType::directory; break;
            case '3':
            case '4':
            case '6': entry.type = EntryType::other; break;
            case 'S':
                return refuse_entry("old GNU sparse file (type 'S'): Docker and containerd "
                                    "refuse it too");
            default:
                return refuse_entry("tar entry type " + typeflag_text(header.typeflag) +
                                    " is no file, directory, link, device or FIFO: Docker and "
                                    "containerd refuse it too");
        }
        return entry;
    }

    // libarchive pulls bytes through here; a failing read is remembered so that its own error
    // (integrity, network, invalid gzip data) is reported rather than libarchive's paraphrase.
    static la_ssize_t read_callback(archive* a, void* client, const void** out) {
        auto* impl = static_cast<Impl*>(client);
        *out = impl->buffer.data();
        if (impl->tar_eof) return 0;
        auto n = impl->tar_stream().read(impl->buffer);
        if (!n) {
            impl->tar_stream_failed(std::move(n).error());
            archive_set_error(a, EIO, "%s", "reading the layer stream failed");
            return ARCHIVE_FATAL;
        }
        if (*n == 0) impl->tar_eof = true;
        if (!impl->inflating()) {
            impl->source_eof = impl->tar_eof;
            impl->compressed += static_cast<std::int64_t>(*n);
        }
        return static_cast<la_ssize_t>(*n);
    }
};

LayerReader::LayerReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
LayerReader::LayerReader(LayerReader&&) noexcept = default;
LayerReader& LayerReader::operator=(LayerReader&&) noexcept = default;
LayerReader::~LayerReader() = default;

Result<LayerReader> LayerReader::open(Reader& source, oci::Compression compression,
                                      const Limits& limits) {
    auto impl = std::make_unique<Impl>(source, compression, limits);
#ifdef DESKEXT_HAVE_ISAL
    if (compression == oci::Compression::gzip)
        impl->inflater = std::make_unique<GzipInflateReader>(source);
#endif
    archive* a = impl->a();
    // libarchive decompresses; the tar itself is read by TarStream, as Go reads it. An empty
    // stream is an empty layer to Go, not an unknown format.
    if (archive_read_support_format_raw(a) != ARCHIVE_OK ||
        archive_read_support_format_empty(a) != ARCHIVE_OK)
        return fail(ErrorCode::internal, "libarchive cannot read raw streams");
    // Exactly the filter the media type names, built in (ARCHIVE_WARN would mean an external
    // program): data compressed otherwise is refused below.
    int rc = ARCHIVE_OK;
    switch (compression) {
        case oci::Compression::none: rc = archive_read_support_filter_none(a); break;
        case oci::Compression::gzip:
            rc = k_inflate_gzip_ourselves ? archive_read_support_filter_none(a)
                                          : archive_read_support_filter_gzip(a);
            break;
        case oci::Compression::zstd: rc = archive_read_support_filter_zstd(a); break;
    }
    if (rc != ARCHIVE_OK)
        return fail(ErrorCode::internal, std::string("libarchive lacks built-in ") +
                                             compression_name(compression) + " support");

    if (archive_read_open(a, impl.get(), nullptr, Impl::read_callback, nullptr) != ARCHIVE_OK)
        return impl->archive_failure();
    if (archive_filter_code(a, 0) != filter_code_for(compression))
        return impl->media_type_mismatch();
    return LayerReader(std::move(impl));
}

Result<std::optional<Entry>> LayerReader::next() {
    Impl& impl = *m_impl;
    if (impl.sticky) return std::unexpected(*impl.sticky);
    if (impl.at_end) return std::nullopt;
    DESKEXT_TRY(impl.skip_entry());

    // PAX global headers apply to nothing deskext reads (containerd ignores them too).
    std::optional<TarHeader> header;
    do {
        auto next = impl.tar.next();
        if (!next) return impl.tar_failure(std::move(next).error(), false);
        header = std::move(*next);
    } while (header && header->typeflag == 'g');
    if (!header) {
        impl.at_end = true;
        DESKEXT_TRY(impl.check_limits());
        return std::nullopt;
    }
    if (++impl.entries > impl.limits.max_entries_per_layer)
        return impl.set_failed(Error{ErrorCode::invalid_extension,
                                     "layer has more than " +
                                         std::to_string(impl.limits.max_entries_per_layer) +
                                         " entries"});
    DESKEXT_TRY(impl.check_limits());
    impl.entry_name = header->name;
    auto entry = impl.make_entry(*header);
    if (!entry) return impl.set_failed(std::move(entry).error());
    impl.entry_open = true;
    impl.entry_is_file = entry->type == EntryType::file;
    return std::optional<Entry>(std::move(*entry));
}

Result<std::size_t> LayerReader::read_data(std::span<std::byte> buffer) {
    Impl& impl = *m_impl;
    if (impl.sticky) return std::unexpected(*impl.sticky);
    if (!impl.entry_open || !impl.entry_is_file || buffer.empty()) return 0;
    return impl.read_entry_data(buffer);
}

Result<void> LayerReader::finish() {
    Impl& impl = *m_impl;
    if (impl.sticky) return std::unexpected(*impl.sticky);
    // The tar ends at its end-of-archive blocks; the padding after them and the end of the
    // compressed stream are read here, straight from the source, so its digest check runs.
    DESKEXT_TRY(impl.inflate_rest());
    return impl.drain_source();
}

std::int64_t LayerReader::uncompressed_bytes() const { return m_impl->uncompressed(); }

}  // namespace deskext::layer
