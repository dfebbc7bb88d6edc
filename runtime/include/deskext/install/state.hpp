#pragma once
// The record of what deskext installed: <root>/<name>/.deskext/state.json. ls, verify, update and
// uninstall work from it alone, without the image.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "deskext/error.hpp"

namespace deskext {

struct InstalledFile {
    std::string path;  // relative to the extension directory, '/'-separated
    std::string sha256;
    std::uint32_t mode = 0644;
    std::int64_t size = 0;
    // Where the content came from: the layer's digest and the entry's ordinal in it (what the
    // merged tree keeps; a layer's digest fixes its entries, so the pair names these exact
    // bytes). Empty for metadata.json and in records written before origins were kept; an
    // update copies a file of the same origin from the installed version instead of reading
    // its layer.
    std::string origin_layer;
    std::size_t origin_entry = 0;
};

// A host binary taken from another variant of the image than the one installed, to run under
// the host's emulation (windows/arm64 and darwin/arm64 run amd64 programs): where it came from.
struct EmulatedBinary {
    std::string binary;           // "host/<name>", as in InstallState::binaries
    std::string image_platform;   // the variant it came from (linux/amd64)
    std::string manifest_digest;  // that variant's manifest
    std::string runs_as;          // the platform it is built for (windows/amd64)
};

struct InstallState {
    static constexpr int current_schema = 1;
    int schema = current_schema;
    std::string name;                      // directory name
    std::string source;                    // SOURCE as given (sanitised)
    std::string image;                     // image name, when known
    std::string version;                   // tag or org.opencontainers.image.version label
    std::string index_digest;              // top-level document the source resolved, when an index
    std::string manifest_digest;           // the manifest installed
    std::string platform;                  // host platform acted for (darwin/arm64)
    std::string image_platform;            // variant installed (linux/arm64)
    std::string installed_at;              // RFC 3339, UTC
    std::vector<std::string> binaries;     // host/<name> entries
    std::vector<EmulatedBinary> emulated;  // of `binaries`, those from another variant
    std::vector<InstalledFile> files;      // every regular file, sorted by path
    // The config and layer digests of the manifest installed: what the blob cache keeps for an
    // update (docs/registry.md, "Blob cache"). Empty in records written before they were kept.
    std::vector<std::string> blobs;
};

inline constexpr std::string_view state_dir_name = ".deskext";
inline constexpr std::string_view state_file_name = "state.json";

[[nodiscard]] std::string to_json_text(const InstallState& state);
[[nodiscard]] Result<InstallState> parse_state(std::string_view json);

// Reads <dir>/.deskext/state.json. not_found when absent, invalid_extension when unreadable.
[[nodiscard]] Result<InstallState> read_state(const std::filesystem::path& extension_dir);

// Current time as RFC 3339 UTC ("2026-11-27T21:30:00Z").
[[nodiscard]] std::string now_rfc3339();

}  // namespace deskext
