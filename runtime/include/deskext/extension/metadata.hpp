#pragma once
// The extension's metadata.json, as Docker Desktop reads it.
// https://docs.docker.com/extensions/extensions-sdk/architecture/metadata/

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/error.hpp"
#include "deskext/limits.hpp"

namespace deskext::extension {

// Image paths are normalised: relative to the image root ("/ui" and "ui" both → "ui"),
// '/'-separated, no "." or empty components. "..", backslashes, drive letters and NUL are
// refused when parsing.
struct HostBinary {
    std::string path;        // normalised image path
    bool directory = false;  // declared with a trailing '/' ("/windows/lib/")
};

struct DashboardTab {
    std::string title;
    std::string src;   // entry page, relative to root
    std::string root;  // normalised image path of the UI directory
    std::optional<std::string> backend_socket;
};

struct Vm {
    std::optional<std::string> image;
    std::optional<std::string> composefile;  // normalised image path
    std::optional<std::string> exposes_socket;
};

struct Metadata {
    std::optional<std::string> icon;  // normalised image path
    std::optional<DashboardTab> dashboard_tab;
    std::optional<Vm> vm;
    // host.binaries merged over its array elements: os ("darwin", "windows", "linux") → entries
    // in declaration order.
    std::map<std::string, std::vector<HostBinary>, std::less<>> host_binaries;
};

// Parses metadata.json. Wrong JSON types and unknown keys are ErrorCode::invalid_extension
// naming the key path ("host.binaries[0].darwin[1].path"), as Docker's validator does.
[[nodiscard]] Result<Metadata> parse_metadata(std::string_view json, const Limits& limits = {});

// Where one declared host binary goes: image path → host/<dest>.
struct BinaryPlacement {
    std::string image_path;  // normalised
    std::string dest;        // name inside host/ (the declared entry's basename)
    bool directory = false;
};

// The host binaries an OS gets, in declaration order. Each entry goes to host/<basename>, as
// Docker Desktop places them; a declared directory is copied whole. An entry that lies inside
// another declared directory of the same OS is already installed as part of it: it is also
// placed at host/<basename> when it is a file whose basename no other entry uses (so it can be
// run by name), and otherwise only noted in `notes`. Two other entries with the same basename
// are ErrorCode::invalid_extension naming both. On a windows host, names Windows cannot hold
// (CON, NUL, COM1, trailing dot or space, ':', control characters) are refused.
[[nodiscard]] Result<std::vector<BinaryPlacement>> host_binaries_for(
    const Metadata& metadata, std::string_view os, std::vector<std::string>* notes = nullptr);

// Normalises an image path from metadata.json; `what` names the field in the error.
[[nodiscard]] Result<std::string> normalize_image_path(std::string_view path,
                                                       std::string_view what);

}  // namespace deskext::extension
