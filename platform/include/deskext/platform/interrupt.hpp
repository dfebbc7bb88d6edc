#pragma once
// Ctrl-C ends deskext the same way on every OS.

namespace deskext::platform {

// Makes Ctrl-C (and on Windows Ctrl-Break and closing the console window) end the process at
// once with exit code 130, what a POSIX shell reports for a process SIGINT ended (128 + 2), so
// that scripts see an interrupted deskext the same way everywhere. What the process leaves (a
// staging directory, lock files) is removed by the next run, as after any kill. POSIX keeps
// SIGINT's default action: nothing to do there. Called once at start-up.
void exit_on_interrupt();

}  // namespace deskext::platform
