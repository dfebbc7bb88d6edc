#pragma once
// Removes what a killed deskext left in an extensions root: staging directories (an unfinished
// install, the previous version after a swap, an extension being uninstalled), puts back an
// extension that a swap cut short had parked (platform::recover_parked), and lock files (a run
// that ends alone in the root removes them all). Only called while holding the root lock
// exclusively, so no other deskext is working in the root and everything found is an orphan.

#include <filesystem>
#include <string>
#include <vector>

#include "deskext/events/event_sink.hpp"

namespace deskext {

struct CleanupReport {
    std::vector<std::string> staging;     // directories removed
    std::vector<std::string> lock_files;  // lock files removed
    std::vector<std::string> restored;    // extensions put back from where a cut swap parked them
    std::vector<std::string> failures;    // what could not be removed, and why
};

// Cleans `root`; emits one `cleanup` event when anything was found, and a `warning` for what
// could not be removed (the next run tries again). Never fails the command.
CleanupReport cleanup_root(const std::filesystem::path& root, EventSink& events);

}  // namespace deskext
