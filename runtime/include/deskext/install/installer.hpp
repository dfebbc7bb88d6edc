#pragma once
// Installing, listing and removing extensions in an extensions root.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "deskext/events/event_sink.hpp"
#include "deskext/install/state.hpp"
#include "deskext/limits.hpp"
#include "deskext/platform/platform.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext {

struct InstallOptions {
    std::filesystem::path root;       // the extensions root (already resolved)
    platform::Platform host;          // the host acted for (detected or --platform)
    std::optional<std::string> name;  // --name: overrides the name the source carries
    std::string source_text;          // SOURCE as given, for the state record
    bool allow_emulation = false;
    bool force = false;              // reinstall even when the same digest is installed
    bool require_installed = false;  // update: the extension must be installed already
    Limits limits;
};

struct InstallOutcome {
    InstallState state;
    std::filesystem::path directory;
    bool unchanged = false;  // the same manifest was already installed; nothing was written
};

// Resolves, plans, stages and swaps in atomically (ARCHITECTURE.md, "Data flow of install").
// On any failure the previous install, if any, is left exactly as it was and the staging
// directory is removed.
[[nodiscard]] Result<InstallOutcome> install_extension(ImageSource& source,
                                                       const InstallOptions& options,
                                                       EventSink& events);

// Removes an installed extension using its state record only (no image needed).
[[nodiscard]] Result<InstallState> uninstall_extension(const std::filesystem::path& root,
                                                       std::string_view name, EventSink& events);

struct ListedExtension {
    std::string name;
    std::optional<InstallState> state;  // empty when the record is missing or damaged
    std::string problem;                // why the state is broken, when it is
};

// Every extension directory in the root, sorted by name; staging and hidden entries skipped.
[[nodiscard]] Result<std::vector<ListedExtension>> list_extensions(
    const std::filesystem::path& root);

}  // namespace deskext
