#pragma once
// What each host platform would get from an image, without installing anything: the variant
// selected, every host binary with its detected format, and every binary whose format does not
// fit the host (docs/cli.md, "inspect").

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "deskext/binfmt/binary_format.hpp"
#include "deskext/error.hpp"
#include "deskext/limits.hpp"
#include "deskext/platform/platform.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::qa {

struct InspectedBinary {
    std::string file;        // destination inside the extension directory: "host/<name>/..."
    std::string image_path;  // where it is in the image (normalised, no leading '/')
    // The variant it is taken from: the host's, or linux/amd64 for a binary that a host running
    // amd64 programs under emulation takes from there (Fit::emulated).
    std::string image_platform;
    binfmt::BinaryFormat format;
    binfmt::Fit fit = binfmt::Fit::unknown;
};

struct PlatformInspection {
    platform::Platform host;
    // Why this host would get nothing (no_matching_platform, invalid_extension,
    // incompatible_api), as install would report it.
    std::optional<Error> error;
    std::string image_platform;  // linux/<arch> selected
    std::string manifest_digest;
    std::string api_version;             // the image's api.version label ("" when missing)
    std::vector<std::string> binaries;   // "host/<name>" of each declared binary
    std::vector<InspectedBinary> files;  // every file installed under host/, with its format
    std::vector<std::string> warnings;   // what install would warn about (plan notes, labels)

    [[nodiscard]] std::size_t mismatches() const;
    // Files taken from the amd64 variant to run under emulation (Fit::emulated).
    [[nodiscard]] std::size_t emulated() const;
    // "ok", "mismatch", or the error's code name ("no_matching_platform", ...).
    [[nodiscard]] std::string status() const;
};

struct Inspection {
    std::string source;        // as shown to people
    std::string index_digest;  // "" when the source is a single manifest
    std::vector<PlatformInspection> platforms;
};

// The six hosts Docker Desktop runs on: darwin, windows, linux × amd64, arm64.
[[nodiscard]] std::vector<platform::Platform> host_platforms();

// Inspects the image for each host. Each variant is scanned once whatever the number of hosts
// sharing it, and only the headers of the host binaries are read (layer_scan's
// read_entry_heads). A host that runs amd64 programs under emulation gets, as install gives it,
// the amd64 variant's build of a binary its own variant lacks or carries for another platform.
// Per-host problems are recorded in the host's entry; failures of the source itself (not found,
// network, integrity, I/O) fail the whole call.
[[nodiscard]] Result<Inspection> inspect_image(ImageSource& source,
                                               const std::vector<platform::Platform>& hosts,
                                               const Limits& limits);

// The fields of the "platform" event for one host (docs/events.md).
[[nodiscard]] nlohmann::json to_json(const PlatformInspection& inspection);
// One row of the result's "matrix" (docs/events.md).
[[nodiscard]] nlohmann::json matrix_row(const PlatformInspection& inspection);
// The table and the per-platform details people read.
[[nodiscard]] std::string format_table(const Inspection& inspection);

}  // namespace deskext::qa
