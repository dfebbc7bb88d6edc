#pragma once
// The installer's step for hosts that run amd64 programs under emulation (emulation_choice.hpp):
// once the host's variant is staged, each declared host binary that variant lacks, or carries
// for another platform, is taken from the image's amd64 variant when that variant carries a
// build that runs. That variant is read from the same source, each layer verified as any other,
// only for those binaries; their files are staged beside the install, checked, and moved in
// place of the host variant's. A "warning" event names each file taken; the state records
// which variant and manifest each binary came from.

#include <filesystem>
#include <string>
#include <vector>

#include "deskext/events/event_sink.hpp"
#include "deskext/extension/metadata.hpp"
#include "deskext/install/install_plan.hpp"
#include "deskext/install/resolve_image.hpp"
#include "deskext/install/state.hpp"
#include "install/binary_checks.hpp"
#include "install/stage_files.hpp"

namespace deskext {

struct EmulationContext {
    ImageSource& source;
    const ResolvedImage& image;  // the host's variant, staged
    const extension::Metadata& metadata;
    const platform::Platform& host;
    std::filesystem::path root;  // the extensions root: the stage's file system
    std::string name;            // the extension's directory name
    PreviousVersion previous;
    const Limits& limits;
    bool strict = false;
};

// What the install holds once the step is done.
struct StagedInstall {
    InstallPlan plan;
    StagedFiles files;
    // The host binaries left to check against the host (binary_checks.hpp): those taken here
    // are not among them.
    std::vector<StagedBinary> binaries;
};

// Replaces, in `stage` and in `staged`, what is taken from the amd64 variant, and returns where
// each binary taken came from. Nothing happens on other hosts. With `strict` nothing is taken:
// a missing binary fails (ErrorCode::invalid_extension, saying emulation was refused), one that
// does not run is left for the header check to refuse. A binary the host's variant lacks and the
// amd64 variant has no runnable build of fails with ErrorCode::invalid_extension saying what was
// looked for; one that does not run is kept when the amd64 variant has nothing better.
[[nodiscard]] Result<std::vector<EmulatedBinary>> take_emulated_binaries(
    const EmulationContext& context, const std::filesystem::path& stage, StagedInstall& staged,
    EventSink& events);

}  // namespace deskext
