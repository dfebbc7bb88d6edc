#pragma once
// Seams for the crash-safety and fault-injection tests, compiled into every build and inert
// unless their environment variable is set (docs/cli.md, "Test seams"):
//
//   DESKEXT_FAULT_INJECT=<ENOSPC|EACCES|EROFS>[:<substring>]
//       make_unique_dir, create_directories and write_file (fs.hpp) fail with that error for
//       every path containing <substring> (every path when it is omitted), as a full disk, a
//       directory we may not write or a read-only file system would make them fail. For machines
//       where the tests cannot mount a small or read-only file system.

#include <filesystem>
#include <optional>
#include <system_error>

namespace deskext::platform {

// The error DESKEXT_FAULT_INJECT asks `path`'s operation to fail with, if any.
[[nodiscard]] std::optional<std::error_code> injected_fault(const std::filesystem::path& path);

// Ends the process at once, as SIGKILL would (TerminateProcess on Windows): no destructor, no
// atexit handler, no flushing. For crash points only.
[[noreturn]] void kill_self();

}  // namespace deskext::platform
