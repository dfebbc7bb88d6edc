#include "deskext/platform/terminal.hpp"

#include <windows.h>

#include <cstdio>
#include <cstdlib>

namespace deskext::platform {
namespace {

DWORD g_original_mode = 0;  // the console's mode before stderr_is_terminal changed it

// The console is shared with the shell that started deskext: its mode goes back as it was.
void restore_console_mode() { ::SetConsoleMode(::GetStdHandle(STD_ERROR_HANDLE), g_original_mode); }

}  // namespace

// A console, not merely a character device (_isatty is true for NUL too), and one that
// interprets the escape sequences the progress bars redraw with (cursor up, erase line): they
// are turned on here (ENABLE_VIRTUAL_TERMINAL_PROCESSING, Windows 10 and later). A console that
// refuses them (an older Windows) counts as no terminal, and gets plain lines.
bool stderr_is_terminal() {
    HANDLE console = ::GetStdHandle(STD_ERROR_HANDLE);
    DWORD mode = 0;
    if (console == INVALID_HANDLE_VALUE || console == nullptr || !::GetConsoleMode(console, &mode))
        return false;
    if ((mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0) return true;
    if (!::SetConsoleMode(console,
                          mode | ENABLE_PROCESSED_OUTPUT | ENABLE_VIRTUAL_TERMINAL_PROCESSING))
        return false;
    g_original_mode = mode;
    std::atexit(restore_console_mode);
    // The C runtime writes an unbuffered stderr a byte at a time, and a console may not piece an
    // escape sequence together across writes (Wine's does not: "[2K" is shown as text, the
    // cursor never moves up). Buffered, each redraw reaches the console in one write when the
    // progress output flushes it (HumanSink flushes after every event).
    std::setvbuf(stderr, nullptr, _IOFBF, std::size_t{1} << 16);
    return true;
}

std::size_t stderr_terminal_columns() {
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (!GetConsoleScreenBufferInfo(GetStdHandle(STD_ERROR_HANDLE), &info)) return 0;
    const int columns = info.srWindow.Right - info.srWindow.Left + 1;
    return columns > 0 ? static_cast<std::size_t>(columns) : 0;
}

}  // namespace deskext::platform
