#pragma once
// The locks that keep two deskext processes from working on one extension, or on the root while
// a root-wide operation runs (docs/cli.md, "Locks"):
//
//   <root>/.deskext-locks/.root.lock    root-wide: shared by every command that works on one
//                                       extension; exclusive for root-wide work (the cleanup of
//                                       what dead runs left), which is short.
//   <root>/.deskext-locks/<name>.lock   one extension: exclusive for install, update and
//                                       uninstall; shared for verify.
//
// Lock files exist while deskext runs: the last one out removes them (~ExtensionLocks).
// Order: root lock first, then the extension's, never the other way, so no two processes wait
// on each other.

#include <filesystem>
#include <string_view>

#include "deskext/events/event_sink.hpp"
#include "deskext/platform/file_lock.hpp"

namespace deskext {

inline constexpr std::string_view locks_dir_name = ".deskext-locks";
inline constexpr std::string_view root_lock_name = ".root.lock";

[[nodiscard]] std::filesystem::path extension_lock_path(const std::filesystem::path& root,
                                                        std::string_view name);

class ExtensionLocks {
public:
    // Takes the root lock and then `name`'s lock in `mode`. On the way, when no other deskext
    // holds the root lock, cleans up what dead runs left (cleanup event). A lock held by another
    // process: ErrorCode::busy at once, or after `wait` (nullopt: waits forever); the root lock
    // alone is always waited for a few seconds, as only the short cleanup holds it exclusively.
    // With `read_only`, a root where lock files cannot be created (read-only file system,
    // permission denied) is read without locks: nobody can change it either.
    [[nodiscard]] static Result<ExtensionLocks> take(const std::filesystem::path& root,
                                                     std::string_view name, platform::LockMode mode,
                                                     platform::LockWait wait, EventSink& events,
                                                     bool read_only = false);

    // Also takes `name`'s lock, as `take` took the first one's: for an extension found under the
    // directory name deskext gave it before (installed_directory.hpp), which whoever names it so
    // locks. Always after `take`'s lock, so no two processes wait on each other.
    [[nodiscard]] Result<void> take_also(const std::filesystem::path& root, std::string_view name,
                                         platform::LockMode mode, platform::LockWait wait,
                                         bool read_only = false);

    ExtensionLocks() = default;
    ExtensionLocks(ExtensionLocks&&) = default;
    ExtensionLocks& operator=(ExtensionLocks&&) = delete;
    ExtensionLocks(const ExtensionLocks&) = delete;
    ExtensionLocks& operator=(const ExtensionLocks&) = delete;
    // Releases both locks. Then, when no other deskext is in the root (the root lock can be
    // taken exclusively at once), removes every lock file and the lock directory, so that a
    // root nobody works in holds only extensions; lock files found later were left by a
    // killed run, and the cleanup says so.
    ~ExtensionLocks();

private:
    platform::FileLock m_root;
    platform::FileLock m_extension;
    platform::FileLock m_former;
};

}  // namespace deskext
