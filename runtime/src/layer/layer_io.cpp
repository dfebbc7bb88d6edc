#include "layer/layer_io.hpp"

#include <utility>

namespace deskext::layer {

Result<std::size_t> CountingReader::read(std::span<std::byte> buffer) {
    DESKEXT_TRY_ASSIGN(const std::size_t n, m_inner.read(buffer));
    m_state.bytes_done += static_cast<std::int64_t>(n);
    if (m_progress) m_progress(m_state);
    return n;
}

std::string layer_name(std::size_t index, const oci::Descriptor& descriptor) {
    return "layer " + std::to_string(index) + " (" + descriptor.digest.str() + ")";
}

Result<OpenLayer> open_layer(ImageSource& source, const oci::Descriptor& descriptor,
                             std::size_t index, const Limits& limits, const ProgressFn& progress) {
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
                        " layers, more than the " + std::to_string(limits.max_layers) + " allowed");
    return {};
}

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

Result<std::map<std::string, std::string, std::less<>>> final_captures(
    const ImageTree& tree, std::map<std::string, Capture, std::less<>>& captures,
    const Limits& limits) {
    std::map<std::string, std::string, std::less<>> kept;
    for (auto& [path, captured] : captures) {
        const Node* node = tree.find(path);
        if (node == nullptr || node->type != EntryType::file || node->content != captured.ref)
            continue;
        if (captured.too_big)
            return fail(
                ErrorCode::invalid_extension,
                path + " is larger than " + std::to_string(limits.max_metadata_bytes) + " bytes");
        kept.emplace(path, std::move(captured.data));
    }
    return kept;
}

Result<OutputFile> OutputFile::create(const std::filesystem::path& path, std::uint32_t mode) {
    // Only permission bits; the installer fixes modes for good later.
    DESKEXT_TRY_ASSIGN(platform::File file, platform::File::create_new(path, mode & 0777U));
    return OutputFile(std::move(file));
}

Result<void> OutputFile::close() {
    // The file is complete: its data can go to disk while the layers are still being read,
    // rather than all at once when the staged tree is flushed.
    m_file.start_writeback();
    return m_file.close();
}

Result<FileHash> copy_entry_data(LayerReader& reader, const std::vector<OutputFile*>& outputs,
                                 std::vector<std::byte>& buffer) {
    if (buffer.empty()) buffer.resize(k_copy_buffer);
    Sha256 hash;
    std::int64_t size = 0;
    while (true) {
        DESKEXT_TRY_ASSIGN(const std::size_t n, reader.read_data(buffer));
        if (n == 0) break;
        const auto data = std::span<const std::byte>(buffer).first(n);
        hash.update(data);
        size += static_cast<std::int64_t>(n);
        for (OutputFile* out : outputs) DESKEXT_TRY(out->write(data));
    }
    for (OutputFile* out : outputs) DESKEXT_TRY(out->close());
    return FileHash{hash.finish(), size};
}

}  // namespace deskext::layer
