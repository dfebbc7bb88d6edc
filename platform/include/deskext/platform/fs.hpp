#pragma once
// File-system primitives the installer builds on. Failures are ErrorCode::filesystem with the
// path and the OS's reason in the message ("cannot create /x/y: No space left on device").

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::platform {

// Joins a relative, already-normalised image path ("host/darwin/kubectl") onto root and
// checks, component by component on disk, that no existing component is a symlink and that
// no component is "..", absolute, or empty: the result always lies inside root.
[[nodiscard]] Result<std::filesystem::path> resolve_in_root(const std::filesystem::path& root,
                                                            std::string_view relative);

// Where exchange_directories cannot swap in one step (Windows), it first renames its second
// directory to ".<name>.swap-<random>" beside it. parked_original gives <name> for such a name
// (nullopt for any other), and recover_parked finishes what a process killed during the swap
// left: the parked directory goes back to <name> when <name> is missing (true), and is removed
// when <name> is there, complete (false).
[[nodiscard]] std::optional<std::string> parked_original(std::string_view name);
[[nodiscard]] Result<bool> recover_parked(const std::filesystem::path& parked);

// Renames from → to atomically (rename(2) / MoveFileEx). `to` must not exist or be an empty
// directory (which Windows removes first: MoveFileEx cannot replace a directory); use
// exchange_directories to swap two populated directories.
[[nodiscard]] Result<void> atomic_rename(const std::filesystem::path& from,
                                         const std::filesystem::path& to);

// Moves the regular file `from` to `to`, which must not exist, not even as a dangling symlink
// (ErrorCode::filesystem, "File exists"): nothing is replaced and no link is followed.
[[nodiscard]] Result<void> move_to_new_file(const std::filesystem::path& from,
                                            const std::filesystem::path& to);

// Copies the regular file `from` (not through a symlink) to `to`, created new with mode 0600
// (an existing `to`, a link included, fails: "File exists"). Shares the blocks where the file
// system can (FICLONE, copy_file_range on Linux), else copies the bytes.
[[nodiscard]] Result<void> copy_to_new_file(const std::filesystem::path& from,
                                            const std::filesystem::path& to);

// Makes `to` a second name of the regular file `from` (a hard link; not through a symlink;
// an existing `to`, a link included, fails: "File exists"). No byte is copied; the two names
// share content and mode from then on, so neither may be written to or have its mode changed.
// Fails where the file system has no hard links: the caller copies then.
[[nodiscard]] Result<void> link_to_new_file(const std::filesystem::path& from,
                                            const std::filesystem::path& to);

// Swaps two existing directories in one step where the OS can (renameat2 RENAME_EXCHANGE on
// Linux); elsewhere falls back to two renames through a sibling name. Reports whether the
// swap was a single atomic step.
[[nodiscard]] Result<bool> exchange_directories(const std::filesystem::path& a,
                                                const std::filesystem::path& b);

// Flushes a file's or directory's data and metadata to stable storage.
[[nodiscard]] Result<void> fsync_path(const std::filesystem::path& path);

// Makes the data and metadata of every path in `paths` (files and directories on one file
// system) durable before returning. Linux flushes the whole file system once (syncfs) while
// little else is waiting to be written, else starts the writeback of every path at once
// (sync_file_range) and then fsyncs each; elsewhere each path is flushed (fsync_path).
[[nodiscard]] Result<void> flush_paths(const std::vector<std::filesystem::path>& paths);

// Asks the OS to start writing a file's data to disk now, without waiting for it, so that a
// later flush_paths finds it written and the disk worked meanwhile. Not through a symlink. Best
// effort; does nothing where the OS has no such call (only Linux has one: sync_file_range). For
// an open File: File::start_writeback.
void start_writeback(const std::filesystem::path& path);

// Sets permission bits exactly (no setuid/setgid/sticky, never world-writable: such bits in
// `mode` are cleared). Does not follow a symlink at `path`.
[[nodiscard]] Result<void> set_mode(const std::filesystem::path& path, std::uint32_t mode);

// Whether `path` (a symlink is not followed) has the permission bits `mode`: exactly, on POSIX.
// Windows has none and keeps only the owner's write bit, as the read-only attribute (set_mode):
// there a file has `mode` when that attribute agrees with it, and a directory has any mode.
[[nodiscard]] Result<bool> has_mode(const std::filesystem::path& path, std::uint32_t mode);

// Creates a new directory with a unique random name "<prefix><random>" inside parent.
[[nodiscard]] Result<std::filesystem::path> make_unique_dir(const std::filesystem::path& parent,
                                                            std::string_view prefix);

// Removes a tree without following symlinks. Missing is fine.
[[nodiscard]] Result<void> remove_tree(const std::filesystem::path& path);

// Creates directories (mode 0755) for path, like mkdir -p.
[[nodiscard]] Result<void> create_directories(const std::filesystem::path& path);

// Writes `data` to `path` (created with mode 0644 or truncated). Does not flush it: a caller
// that needs it durable flushes it with the rest of its work (flush_paths, fsync_path), so that
// a tree of files costs one flush and not one per file.
[[nodiscard]] Result<void> write_file(const std::filesystem::path& path, std::string_view data);

// The form of `path` that the OS's file calls are given. On Windows, the extended-length form of
// its full path: `\\?\C:\dir\file` for a drive, `\\?\UNC\server\share\file` for a UNC path
// (`\\server\share\file`), which no 260-character limit (MAX_PATH) applies to; relative paths and
// '/' separators are resolved first (GetFullPathNameW), as the extended form takes a path as it
// is. A path already in that form, or a device path (`\\.\…`), stays as it is. Every call of the
// platform layer that names a file goes through it; messages show the path as given. Elsewhere,
// `path` itself.
[[nodiscard]] std::filesystem::path os_path(const std::filesystem::path& path);

// Maps an errno / std::error_code to an Error (filesystem category) naming the action and path.
[[nodiscard]] Error fs_error(std::string_view action, const std::filesystem::path& path,
                             std::error_code ec);

}  // namespace deskext::platform
