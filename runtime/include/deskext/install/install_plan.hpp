#pragma once
// What an install writes, decided from the image's merged tree and its metadata.json before a
// single byte is extracted: every destination inside the extension directory, where its content
// comes from, and its mode. Anything declared but absent fails here, before staging.

#include <algorithm>
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
    // Of `binaries`, those absent from the image, with MissingBinaries::listed only: nothing is
    // planned for them; the installer takes them from another variant or fails.
    std::vector<std::string> missing_binaries;
    std::vector<std::string> warnings;  // things skipped, said to the user

    [[nodiscard]] bool lacks(std::string_view binary) const {
        return std::ranges::find(missing_binaries, binary) != missing_binaries.end();
    }
};

// What a declared host binary missing from the image does to the plan.
enum class MissingBinaries {
    fail,    // ErrorCode::invalid_extension, naming it and the image platform
    listed,  // InstallPlan::missing_binaries (a host that emulates another arch may find it there)
};

// Layout (docs/architecture.md): metadata.json and the icon at the top, ui/<basename of ui root>/…,
// host/<basename of each binary> (declared directories copied whole), vm/<compose file>.
// metadata.json itself is written by the installer from the bytes it parsed.
// ErrorCode::invalid_extension when the icon, the UI root, the compose file or a declared binary
// is missing from the image, is of the wrong kind, or two of them land on one destination.
[[nodiscard]] Result<InstallPlan> plan_install(const layer::ImageTree& tree,
                                               const extension::Metadata& metadata,
                                               std::string_view host_os,
                                               std::string_view image_platform,
                                               MissingBinaries missing = MissingBinaries::fail);

// Only the host binaries declared for `host_os` whose destination ("host/<name>") is in
// `binaries`, planned as plan_install plans them (directories, files, modes): what a host that
// emulates amd64 takes from the amd64 variant. Missing ones are listed, never an error.
[[nodiscard]] Result<InstallPlan> plan_host_binaries(const layer::ImageTree& tree,
                                                     const extension::Metadata& metadata,
                                                     std::string_view host_os,
                                                     std::string_view image_platform,
                                                     const std::vector<std::string>& binaries);

}  // namespace deskext
