#pragma once
// What an install writes, decided from the image's merged tree and its metadata.json before a
// single byte is extracted: every destination inside the extension directory, where its content
// comes from, and its mode. Anything declared but absent fails here, before staging.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/extension/metadata.hpp"
#include "deskext/layer/image_tree.hpp"

namespace deskext {

struct PlannedFile {
    layer::EntryRef from;
    std::string dest;  // relative to the extension directory, '/'-separated
    std::uint32_t mode = 0644;
};

struct InstallPlan {
    std::vector<std::string> directories;  // relative; parents before children
    std::vector<PlannedFile> files;
    std::vector<std::string> binaries;  // "host/<name>" of each declared binary
    std::vector<std::string> warnings;  // things skipped, said to the user
};

// Layout (docs/architecture.md): metadata.json and the icon at the top, ui/<basename of ui root>/…,
// host/<basename of each binary> (declared directories copied whole), vm/<compose file>.
// metadata.json itself is written by the installer from the bytes it parsed.
// ErrorCode::invalid_extension when the icon, the UI root, the compose file or a declared binary
// is missing from the image, is of the wrong kind, or two of them land on one destination.
[[nodiscard]] Result<InstallPlan> plan_install(const layer::ImageTree& tree,
                                               const extension::Metadata& metadata,
                                               std::string_view host_os,
                                               std::string_view image_platform);

}  // namespace deskext
