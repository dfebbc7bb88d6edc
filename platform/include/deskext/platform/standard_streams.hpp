#pragma once
// Standard output and standard error carry exactly the bytes deskext writes.

namespace deskext::platform {

// Puts stdout and stderr in binary mode where the C runtime has a text mode: on Windows it would
// write each "\n" as "\r\n", and a --json line must end in "\n" there as on Linux and macOS
// (docs/cli.md, "Output"). Nothing to do on POSIX. Called once at start-up, before anything is
// written.
void set_binary_standard_streams();

}  // namespace deskext::platform
