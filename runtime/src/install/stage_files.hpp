#pragma once
// Writing what a plan names into a staging directory: the files the single pass over the layers
// wrote out are moved in, those the installed version holds from the same layer entry are copied
// from it, the rest read from their layers; each is hashed and recorded for the state.

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "deskext/events/event_sink.hpp"
#include "deskext/install/install_plan.hpp"
#include "deskext/install/state.hpp"
#include "deskext/layer/single_pass.hpp"
#include "deskext/limits.hpp"
#include "deskext/oci/models.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext {

// What stage_files staged: the state record's files, and those of them (paths as recorded)
// whose hash was taken by reading the staged file once complete, which the check before the
// swap need not hash again.
struct StagedFiles {
    std::vector<InstalledFile> files;
    std::set<std::string> hashed_from_stage;
};

// The installed version a stage may copy unchanged files from: its record and its directory.
struct PreviousVersion {
    const InstallState* state = nullptr;  // none: nothing installed
    std::filesystem::path dir;
};

// Stages the directories and files of `plan`, whose entries are those of `manifest`'s layers,
// into `stage` with their planned modes, and records each (origin: its layer and entry).
// Records are in the order of plan.files.
[[nodiscard]] Result<StagedFiles> stage_files(
    ImageSource& source, const oci::Manifest& manifest, const InstallPlan& plan,
    const std::map<layer::EntryRef, layer::Candidate>& candidates, const PreviousVersion& previous,
    const std::filesystem::path& stage, const Limits& limits, EventSink& events);

}  // namespace deskext
