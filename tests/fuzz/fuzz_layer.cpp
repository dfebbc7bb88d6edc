// Fuzzes applying layers into a temporary root: the input is one or more layer blobs (split at
// the marker "\n--deskext-layer--\n"; compression sniffed from the magic bytes), scanned into the
// image tree, then every regular file of the tree is extracted into a root that sits inside a
// sentinel directory. Afterwards nothing may exist outside the root, and inside it only regular
// files and directories, none with setuid, setgid or sticky bits.
#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/layer/layer_scan.hpp"
#include "fixtures/memory_source.hpp"
#include "fixtures/temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using deskext::fixtures::TarCompression;

constexpr std::string_view k_separator = "\n--deskext-layer--\n";
constexpr std::size_t k_max_layers = 4;
constexpr std::size_t k_max_placements = 64;

TarCompression sniff(std::string_view blob) {
    if (blob.starts_with("\x1f\x8b")) return TarCompression::gzip;
    if (blob.starts_with("\x28\xb5\x2f\xfd")) return TarCompression::zstd;
    return TarCompression::none;
}

[[noreturn]] void escaped(const fs::path& path, const char* why) {
    std::fprintf(stderr, "fuzz_layer: %s: %s\n", path.c_str(), why);
    std::abort();
}

// Everything in the sentinel directory must be the root itself or below it.
void check_nothing_escaped(const fs::path& sentinel, const fs::path& root) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(sentinel, ec))
        if (entry.path() != root) escaped(entry.path(), "written outside the root");
    for (auto it = fs::recursive_directory_iterator(root, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        struct stat st {};
        if (::lstat(it->path().c_str(), &st) != 0) escaped(it->path(), "cannot lstat");
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
            escaped(it->path(), "neither a regular file nor a directory");
        if ((st.st_mode & 07000) != 0) escaped(it->path(), "setuid, setgid or sticky bit");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deskext;
    std::string_view input(reinterpret_cast<const char*>(data), size);
    fixtures::MemorySource source;
    oci::Manifest manifest;
    while (manifest.layers.size() < k_max_layers) {
        const std::size_t at = input.find(k_separator);
        const std::string_view blob = input.substr(0, at);
        manifest.layers.push_back(
            source.add_blob(std::string(blob), fixtures::layer_media_type(sniff(blob))));
        if (at == std::string_view::npos) break;
        input.remove_prefix(at + k_separator.size());
    }

    Limits limits;
    limits.max_uncompressed_bytes = std::int64_t{64} << 20;
    limits.max_entries_per_layer = 10000;
    limits.max_image_entries = 20000;
    limits.max_name_bytes = 1u << 20;
    auto scan = layer::scan_layers(source, manifest, {"metadata.json"}, limits, {});
    if (!scan) return 0;

    const fixtures::TempDir sentinel("deskext-fuzz-");
    const fs::path root = sentinel / "root";
    fs::create_directory(root);
    std::vector<layer::Placement> placements;
    for (const auto& [path, node] : scan->tree.descendants("")) {
        if (placements.size() == k_max_placements) break;
        if (node->type != layer::EntryType::file) continue;
        placements.push_back({node->content, root / path, node->mode});
    }
    (void)layer::extract_entries(source, manifest, placements, limits, {});
    check_nothing_escaped(sentinel.path(), root);
    return 0;
}
