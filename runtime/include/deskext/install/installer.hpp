#pragma once
// Installing, listing and removing extensions in an extensions root.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "deskext/events/event_sink.hpp"
#include "deskext/install/state.hpp"
#include "deskext/limits.hpp"
#include "deskext/platform/file_lock.hpp"
#include "deskext/platform/platform.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext {

struct InstallOptions {
    std::filesystem::path root;       // the extensions root (already resolved)
    platform::Platform host;          // the host acted for (detected or --platform)
    std::optional<std::string> name;  // --name: overrides the name the source carries
    bool allow_emulation = false;
    bool force = false;              // reinstall even when the same digest is installed
    bool require_installed = false;  // update: the extension must be installed already
    bool strict = false;  // --strict: a host binary built for another platform fails the install
    // --wait: how long to wait for another deskext's lock (zero: busy at once; nullopt: forever).
    platform::LockWait wait = platform::no_wait;
    Limits limits;
};

struct InstallOutcome {
    InstallState state;
    std::filesystem::path directory;
    bool unchanged = false;  // the same manifest was already installed; nothing was written
};

// Resolves, plans, stages and swaps in atomically (docs/architecture.md, "Data flow of an
// install"). On any failure the previous install, if any, is left exactly as it was and the staging
// directory is removed. Holds the extension's lock throughout (busy when another deskext has
// it); the staged tree is checked against its state record before the swap.
[[nodiscard]] Result<InstallOutcome> install_extension(ImageSource& source,
                                                       const InstallOptions& options,
                                                       EventSink& events);

// Removes an installed extension using its state record only (no image needed). Holds the
// extension's lock meanwhile (`wait` as in InstallOptions).
[[nodiscard]] Result<InstallState> uninstall_extension(const std::filesystem::path& root,
                                                       std::string_view name, EventSink& events,
                                                       platform::LockWait wait = platform::no_wait);

struct ListedExtension {
    std::string name;
    std::optional<InstallState> state;  // empty when the record is missing or damaged
    std::string problem;                // why the state is broken, when it is
};

// Every extension directory in the root, sorted by name; staging and hidden entries skipped.
[[nodiscard]] Result<std::vector<ListedExtension>> list_extensions(
    const std::filesystem::path& root);

}  // namespace deskext
