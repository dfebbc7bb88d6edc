#pragma once
// What the layer passes (layer_scan.cpp, single_pass.cpp) share: opening a layer blob with
// progress counting, keeping the data of a small file, and writing entry data to new files
// that are never reached through a symlink.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "deskext/layer/image_tree.hpp"
#include "deskext/layer/layer_progress.hpp"
#include "deskext/layer/layer_reader.hpp"
#include "deskext/platform/file.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::layer {

inline constexpr std::size_t k_copy_buffer = 1u << 20;  // one read of entry data, one write

// Passes a layer blob through, counting the compressed bytes for the progress report.
class CountingReader final : public Reader {
public:
    CountingReader(Reader& inner, std::size_t layer, std::int64_t total, const ProgressFn& progress)
        : m_inner(inner), m_progress(progress), m_state{layer, 0, total} {}

    [[nodiscard]] Result<std::size_t> read(std::span<std::byte> buffer) override;

private:
    Reader& m_inner;
    const ProgressFn& m_progress;
    LayerProgress m_state;
};

[[nodiscard]] std::string layer_name(std::size_t index, const oci::Descriptor& descriptor);

// `result`, its error (if any) in the context "reading layer N (digest)".
template <class T>
[[nodiscard]] Result<T> in_context(Result<T> result, std::size_t index,
                                   const oci::Descriptor& layer) {
    if (!result)
        return std::unexpected(
            std::move(result).error().context("reading " + layer_name(index, layer)));
    return result;
}

// One opened layer: the verifying blob stream, the counter over it and the tar reader on top.
// Members are declared in the order they depend on each other.
struct OpenLayer {
    std::unique_ptr<Reader> blob;
    std::unique_ptr<CountingReader> counter;
    std::optional<LayerReader> reader;
};

[[nodiscard]] Result<OpenLayer> open_layer(ImageSource& source, const oci::Descriptor& descriptor,
                                           std::size_t index, const Limits& limits,
                                           const ProgressFn& progress);

[[nodiscard]] Result<void> check_layer_count(const oci::Manifest& manifest, const Limits& limits);

// The data of one captured file, or the fact that it was too big to keep.
struct Capture {
    EntryRef ref;
    std::string data;
    bool too_big = false;
};

// Reads the current entry's data, up to `cap` bytes.
[[nodiscard]] Result<Capture> capture_entry(LayerReader& reader, EntryRef ref, std::size_t cap);

// Of the captures (path → the last file of that path read), what the final tree still holds:
// a later layer may have replaced, hard-linked over or whited out a captured file. A kept capture
// that was too big is ErrorCode::invalid_extension. Moves the data out of `captures`.
[[nodiscard]] Result<std::map<std::string, std::string, std::less<>>> final_captures(
    const ImageTree& tree, std::map<std::string, Capture, std::less<>>& captures,
    const Limits& limits);

// A destination file, created new (platform::File::create_new: never through a symlink, its
// directories created when missing). Closed at scope exit.
class OutputFile {
public:
    [[nodiscard]] static Result<OutputFile> create(const std::filesystem::path& path,
                                                   std::uint32_t mode);

    [[nodiscard]] Result<void> write(std::span<const std::byte> data) { return m_file.write(data); }
    // Closes the complete file, its writeback to disk started.
    [[nodiscard]] Result<void> close();

private:
    explicit OutputFile(platform::File file) : m_file(std::move(file)) {}
    platform::File m_file;
};

// Writes the rest of the current regular-file entry's data to every output, then closes them;
// the SHA-256 and size of what was written. `buffer` may be empty: it is given k_copy_buffer
// bytes on first use, so that reading a layer that writes nothing out costs no copy buffer
// (on a fresh thread its megabyte is new memory, a page fault per 4 KiB).
[[nodiscard]] Result<FileHash> copy_entry_data(LayerReader& reader,
                                               const std::vector<OutputFile*>& outputs,
                                               std::vector<std::byte>& buffer);

}  // namespace deskext::layer
