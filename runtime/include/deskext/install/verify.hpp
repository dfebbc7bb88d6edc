#pragma once
// Checking an installed extension (or a staged one, before it is swapped in) against its state
// record, <dir>/.deskext/state.json: every file re-hashed, modes compared, extra files found.

#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/events/event_sink.hpp"
#include "deskext/install/state.hpp"
#include "deskext/limits.hpp"
#include "deskext/platform/file_lock.hpp"

namespace deskext {

struct Drift {
    std::string path;     // relative to the extension directory, '/'-separated
    std::string problem;  // "missing", "changed", "extra" or "mode"
    std::string detail;   // for people: what was expected and what was found
};

// Compares `dir` with `state`: recorded files that are missing, not regular files, or whose
// size or SHA-256 differ ("changed"); recorded files whose permission bits differ ("mode");
// files and links that are not recorded ("extra"; directories are not recorded, and
// .deskext/ holds deskext's own files). Never follows a symbolic link. Sorted by path.
[[nodiscard]] Result<std::vector<Drift>> compare_with_state(const std::filesystem::path& dir,
                                                            const InstallState& state);

// The last check before a staged version is swapped in: its metadata.json parses, the icon, the
// UI root and every declared host binary are there, and every file matches the state record
// about to be installed with it (nothing missing, changed or extra). ErrorCode::invalid_extension
// naming what is wrong otherwise. The files of `hashed_from_stage` (paths as recorded) had their
// recorded hash taken by reading the staged file itself once it was complete: their content is
// not hashed again, only their type, size and mode are checked.
[[nodiscard]] Result<void> check_staged(const std::filesystem::path& stage,
                                        const InstallState& state, const Limits& limits,
                                        const std::set<std::string>& hashed_from_stage = {});

struct VerifyReport {
    InstallState state;
    std::filesystem::path directory;
    std::vector<Drift> drift;  // empty when the extension is exactly as installed
};

// verify NAME: takes the extension's lock shared (other readers may run, an install may not),
// then compares the installed directory with its state record. Drift is reported, not an
// error: the caller decides (the CLI exits 8). not_found when the extension is not installed.
[[nodiscard]] Result<VerifyReport> verify_extension(const std::filesystem::path& root,
                                                    std::string_view name, platform::LockWait wait,
                                                    EventSink& events);

}  // namespace deskext
