#pragma once
// Test-only crash points, compiled into every build and inert unless DESKEXT_CRASH_AT names one:
// then the process kills itself there, as SIGKILL would, leaving on disk exactly what a crash at
// that step leaves. The lifecycle tests (tests/integration/test_lifecycle.cpp) kill the real
// binary at every point and check that the extension is whole afterwards.

#include <array>
#include <string_view>

namespace deskext {

// Every point, in the order a run passes them (docs/cli.md, "Test seams").
inline constexpr std::array<std::string_view, 6> install_crash_points{
    "install-locked",         // locks held, nothing written yet
    "install-staging",        // staging directory created, empty
    "install-extracted",      // files extracted into staging
    "install-state-written",  // state record written, staging complete
    "install-before-swap",    // staged tree checked, right before the swap
    "install-after-swap",     // new version in place, old one still in the staging path
};
inline constexpr std::array<std::string_view, 3> uninstall_crash_points{
    "uninstall-locked",   // locks held, nothing changed yet
    "uninstall-renamed",  // extension renamed to a staging name, not removed yet
    "uninstall-removed",  // directory removed, lock file not yet
};

// Only an install that moves an extension out of its 0.1 directory passes it
// (installed_directory.hpp): after the move, before the swap.
inline constexpr std::string_view former_moved_crash_point = "install-moved";

inline constexpr std::string_view export_crash_point =
    "export-before-publish";  // every blob written into the bundle, not yet in place

// Kills the process when DESKEXT_CRASH_AT equals `point`; does nothing otherwise.
void crash_point(std::string_view point);

}  // namespace deskext
