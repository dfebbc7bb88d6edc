#include "deskext/layer/layer_scan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include "deskext/platform/fs.hpp"

namespace deskext::layer {

namespace {

constexpr std::size_t k_copy_buffer = 1u << 20;  // one read of entry data, written as one block

// Passes a layer blob through, counting the compressed bytes for the progress report.
class CountingReader final : public Reader {
public:
    CountingReader(Reader& inner, std::size_t layer, std::int64_t total,
                   const ProgressFn& progress)
        : m_inner(inner), m_progress(progress), m_state{layer, 0, total} {}

    [[nodiscard]] Result<std::size_t> read(std::span<std::byte> buffer) override {
        DESKEXT_TRY_ASSIGN(const std::size_t n, m_inner.read(buffer));
        m_state.bytes_done += static_cast<std::int64_t>(n);
        if (m_progress) m_progress(m_state);
        return n;
    }

private:
    Reader& m_inner;
    const ProgressFn& m_progress;
    LayerProgress m_state;
};

std::string layer_name(std::size_t index, const oci::Descriptor& descriptor) {
    return "layer " + std::to_string(index) + " (" + descriptor.digest.str() + ")";
}

// One opened layer: the verifying blob stream, the counter over it and the tar reader on top.
// Members are declared in the order they depend on each other.
struct OpenLayer {
    std::unique_ptr<Reader> blob;
    std::unique_ptr<CountingReader> counter;
    std::optional<LayerReader> reader;
};

Result<OpenLayer> open_layer(ImageSource& source, const oci::Descriptor& descriptor,
                             std::size_t index, const Limits& limits,
                             const ProgressFn& progress) {
    DESKEXT_TRY_ASSIGN(const oci::Compression compression,
                       oci::layer_compression(descriptor.media_type));
    OpenLayer layer;
    DESKEXT_TRY_ASSIGN(layer.blob, source.open_blob(descriptor));
    layer.counter = std::make_unique<CountingReader>(*layer.blob, index, descriptor.size, progress);
    DESKEXT_TRY_ASSIGN(LayerReader reader, LayerReader::open(*layer.counter, compression, limits));
    layer.reader.emplace(std::move(reader));
    return layer;
}

Result<void> check_layer_count(const oci::Manifest& manifest, const Limits& limits) {
    if (manifest.layers.size() > limits.max_layers)
        return fail(ErrorCode::invalid_extension,
                    "the image has " + std::to_string(manifest.layers.size()) +
                        " layers, more than the " + std::to_string(limits.max_layers) +
                        " allowed");
    return {};
}

// The data of one captured file, or the fact that it was too big to keep.
struct Capture {
    EntryRef ref;
    std::string data;
    bool too_big = false;
};

Result<Capture> capture_entry(LayerReader& reader, EntryRef ref, std::size_t cap) {
    Capture capture{ref, {}, false};
    std::string chunk(64 * 1024, '\0');
    while (true) {
        DESKEXT_TRY_ASSIGN(const std::size_t n,
                           reader.read_data(std::as_writable_bytes(std::span(chunk))));
        if (n == 0) break;
        if (capture.data.size() + n > cap) {
            // Read no further: the rest is skipped (and limit-checked) by next().
            capture.too_big = true;
            capture.data.clear();
            break;
        }
        capture.data.append(chunk.data(), n);
    }
    return capture;
}

Result<void> scan_one(ImageSource& source, const oci::Descriptor& descriptor, std::size_t index,
                      const std::map<std::string, bool, std::less<>>& wanted, const Limits& limits,
                      const ProgressFn& progress, std::int64_t& uncompressed_total,
                      ImageTree& tree, std::map<std::string, Capture, std::less<>>& captures) {
    Limits layer_limits = limits;
    // The image-wide cap: this layer may use what the layers below left.
    layer_limits.max_uncompressed_bytes = limits.max_uncompressed_bytes - uncompressed_total;
    DESKEXT_TRY_ASSIGN(OpenLayer layer, open_layer(source, descriptor, index, layer_limits,
                                                   progress));
    LayerReader& reader = *layer.reader;
    for (std::size_t ordinal = 0;; ++ordinal) {
        DESKEXT_TRY_ASSIGN(std::optional<Entry> entry, reader.next());
        if (!entry) break;
        const EntryRef ref{index, ordinal};
        DESKEXT_TRY(tree.apply(*entry, ref));
        if (entry->type == EntryType::file && wanted.contains(entry->path)) {
            DESKEXT_TRY_ASSIGN(Capture capture,
                               capture_entry(reader, ref, limits.max_metadata_bytes));
            captures.insert_or_assign(entry->path, std::move(capture));
        }
    }
    DESKEXT_TRY(reader.finish());
    uncompressed_total += reader.uncompressed_bytes();
    return {};
}

// A destination file, created new and never through a symlink. Closed at scope exit.
class OutputFile {
public:
    static Result<OutputFile> create(const std::filesystem::path& path, std::uint32_t mode) {
        // Only permission bits; the installer fixes modes for good later.
        const auto perms = static_cast<mode_t>(mode & 0777u);
        constexpr int flags = O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
        int fd = ::open(path.c_str(), flags, perms);
        if (fd < 0 && errno == ENOENT) {
            DESKEXT_TRY(platform::create_directories(path.parent_path()));
            fd = ::open(path.c_str(), flags, perms);
        }
        if (fd < 0)
            return std::unexpected(platform::fs_error(
                "create", path, std::error_code(errno, std::generic_category())));
        OutputFile out(fd, path);
        // open() honours the umask; the mode asked for is what the file must have.
        if (::fchmod(fd, perms) != 0)
            return std::unexpected(platform::fs_error(
                "set the mode of", path, std::error_code(errno, std::generic_category())));
        return out;
    }

    OutputFile(OutputFile&& other) noexcept
        : m_fd(std::exchange(other.m_fd, -1)), m_path(std::move(other.m_path)) {}
    OutputFile& operator=(OutputFile&&) = delete;
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;
    ~OutputFile() {
        if (m_fd >= 0) ::close(m_fd);
    }

    Result<void> write(std::span<const std::byte> data) {
        while (!data.empty()) {
            const ssize_t n = ::write(m_fd, data.data(), data.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0)
                return std::unexpected(platform::fs_error(
                    "write", m_path, std::error_code(errno, std::generic_category())));
            data = data.subspan(static_cast<std::size_t>(n));
        }
        return {};
    }

    Result<void> close() {
        const int fd = std::exchange(m_fd, -1);
        if (::close(fd) != 0)
            return std::unexpected(platform::fs_error(
                "write", m_path, std::error_code(errno, std::generic_category())));
        return {};
    }

private:
    OutputFile(int fd, std::filesystem::path path) : m_fd(fd), m_path(std::move(path)) {}
    int m_fd;
    std::filesystem::path m_path;
};

Result<void> write_entry(LayerReader& reader, const Entry& entry,
                         const std::vector<const Placement*>& placements,
                         std::vector<std::byte>& buffer) {
    if (entry.type != EntryType::file)
        return fail(ErrorCode::invalid_extension,
                    "layer entry \"" + entry.path + "\" is not a regular file and cannot be "
                                                    "installed as one");
    std::vector<OutputFile> outputs;
    outputs.reserve(placements.size());
    for (const Placement* placement : placements) {
        DESKEXT_TRY_ASSIGN(OutputFile out, OutputFile::create(placement->to, placement->mode));
        outputs.push_back(std::move(out));
    }
    while (true) {
        DESKEXT_TRY_ASSIGN(const std::size_t n, reader.read_data(buffer));
        if (n == 0) break;
        for (OutputFile& out : outputs) DESKEXT_TRY(out.write(std::span(buffer).first(n)));
    }
    for (OutputFile& out : outputs) DESKEXT_TRY(out.close());
    return {};
}

Result<void> extract_from_layer(ImageSource& source, const oci::Descriptor& descriptor,
                                std::size_t index,
                                const std::map<std::size_t, std::vector<const Placement*>>& wanted,
                                const Limits& limits, const ProgressFn& progress) {
    DESKEXT_TRY_ASSIGN(OpenLayer layer, open_layer(source, descriptor, index, limits, progress));
    LayerReader& reader = *layer.reader;
    std::vector<std::byte> buffer(k_copy_buffer);
    auto next_wanted = wanted.begin();
    for (std::size_t ordinal = 0; next_wanted != wanted.end(); ++ordinal) {
        DESKEXT_TRY_ASSIGN(std::optional<Entry> entry, reader.next());
        if (!entry)
            return fail(ErrorCode::internal, "entry " + std::to_string(next_wanted->first) +
                                                 " is not in the layer any more");
        if (ordinal != next_wanted->first) continue;
        DESKEXT_TRY(write_entry(reader, *entry, next_wanted->second, buffer));
        ++next_wanted;
    }
    // The rest of the layer is not needed, but the whole blob must be read for its digest:
    // nothing written above may be trusted before this returns.
    DESKEXT_TRY(reader.finish());
    return {};
}

// Reads the heads of the wanted entries (ordinals, sorted) of one layer, then the rest of it.
Result<void> heads_from_layer(ImageSource& source, const oci::Descriptor& descriptor,
                              std::size_t index, const std::set<std::size_t>& wanted,
                              std::size_t max_bytes, const Limits& limits,
                              const ProgressFn& progress, std::map<EntryRef, std::string>& heads) {
    DESKEXT_TRY_ASSIGN(OpenLayer layer, open_layer(source, descriptor, index, limits, progress));
    LayerReader& reader = *layer.reader;
    auto next_wanted = wanted.begin();
    for (std::size_t ordinal = 0; next_wanted != wanted.end(); ++ordinal) {
        DESKEXT_TRY_ASSIGN(std::optional<Entry> entry, reader.next());
        if (!entry)
            return fail(ErrorCode::internal,
                        "entry " + std::to_string(*next_wanted) + " is not in the layer any more");
        if (ordinal != *next_wanted) continue;
        if (entry->type != EntryType::file)
            return fail(ErrorCode::invalid_extension,
                        "layer entry \"" + entry->path + "\" is not a regular file");
        std::string head(max_bytes, '\0');
        std::size_t filled = 0;
        while (filled < max_bytes) {
            DESKEXT_TRY_ASSIGN(const std::size_t n,
                               reader.read_data(std::as_writable_bytes(
                                   std::span(head.data() + filled, max_bytes - filled))));
            if (n == 0) break;
            filled += n;
        }
        head.resize(filled);
        heads.insert_or_assign(EntryRef{index, ordinal}, std::move(head));
        ++next_wanted;
    }
    // The heads may be trusted only once the whole blob has matched its digest.
    DESKEXT_TRY(reader.finish());
    return {};
}

}  // namespace

Result<ScanResult> scan_layers(ImageSource& source, const oci::Manifest& manifest,
                               const std::vector<std::string>& capture, const Limits& limits,
                               const ProgressFn& progress) {
    DESKEXT_TRY(check_layer_count(manifest, limits));
    std::map<std::string, bool, std::less<>> wanted;
    for (const std::string& path : capture) wanted.emplace(path, true);

    ScanResult result;
    std::map<std::string, Capture, std::less<>> captures;
    std::int64_t uncompressed_total = 0;
    for (std::size_t index = 0; index < manifest.layers.size(); ++index) {
        const oci::Descriptor& descriptor = manifest.layers[index];
        auto scanned = scan_one(source, descriptor, index, wanted, limits, progress,
                                uncompressed_total, result.tree, captures);
        if (!scanned) return std::unexpected(std::move(scanned).error().context(
                          "reading " + layer_name(index, descriptor)));
    }
    // Only what the final tree still holds: a later layer may have replaced, hard-linked over or
    // whited out a captured file.
    for (auto& [path, captured] : captures) {
        const Node* node = result.tree.find(path);
        if (node == nullptr || node->type != EntryType::file || node->content != captured.ref)
            continue;
        if (captured.too_big)
            return fail(ErrorCode::invalid_extension,
                        path + " is larger than " + std::to_string(limits.max_metadata_bytes) +
                            " bytes");
        result.captured.emplace(path, std::move(captured.data));
    }
    return result;
}

Result<void> extract_entries(ImageSource& source, const oci::Manifest& manifest,
                             const std::vector<Placement>& placements, const Limits& limits,
                             const ProgressFn& progress) {
    DESKEXT_TRY(check_layer_count(manifest, limits));
    // layer → ordinal → destinations, so that each layer is read once, in archive order.
    std::map<std::size_t, std::map<std::size_t, std::vector<const Placement*>>> by_layer;
    for (const Placement& placement : placements) {
        if (placement.from.layer >= manifest.layers.size())
            return fail(ErrorCode::internal,
                        "entry of layer " + std::to_string(placement.from.layer) +
                            " asked for, but the image has " +
                            std::to_string(manifest.layers.size()) + " layers");
        by_layer[placement.from.layer][placement.from.ordinal].push_back(&placement);
    }
    for (const auto& [index, wanted] : by_layer) {
        const oci::Descriptor& descriptor = manifest.layers[index];
        auto extracted = extract_from_layer(source, descriptor, index, wanted, limits, progress);
        if (!extracted) return std::unexpected(std::move(extracted).error().context(
                            "extracting from " + layer_name(index, descriptor)));
    }
    return {};
}

Result<std::map<EntryRef, std::string>> read_entry_heads(
    ImageSource& source, const oci::Manifest& manifest, const std::vector<EntryRef>& entries,
    std::size_t max_bytes, const Limits& limits, const ProgressFn& progress) {
    DESKEXT_TRY(check_layer_count(manifest, limits));
    std::map<std::size_t, std::set<std::size_t>> by_layer;
    for (const EntryRef& ref : entries) {
        if (ref.layer >= manifest.layers.size())
            return fail(ErrorCode::internal, "entry of layer " + std::to_string(ref.layer) +
                                                 " asked for, but the image has " +
                                                 std::to_string(manifest.layers.size()) +
                                                 " layers");
        by_layer[ref.layer].insert(ref.ordinal);
    }
    std::map<EntryRef, std::string> heads;
    for (const auto& [index, wanted] : by_layer) {
        const oci::Descriptor& descriptor = manifest.layers[index];
        auto read =
            heads_from_layer(source, descriptor, index, wanted, max_bytes, limits, progress, heads);
        if (!read)
            return std::unexpected(
                std::move(read).error().context("reading " + layer_name(index, descriptor)));
    }
    return heads;
}

}  // namespace deskext::layer
