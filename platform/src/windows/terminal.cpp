#include "deskext/platform/terminal.hpp"

#include <windows.h>

#include <io.h>
#include <stdio.h>

namespace deskext::platform {

bool stderr_is_terminal() { return _isatty(_fileno(stderr)) != 0; }

std::size_t stderr_terminal_columns() {
    CONSOLE_SCREEN_BUFFER_INFO info;
    if (!GetConsoleScreenBufferInfo(GetStdHandle(STD_ERROR_HANDLE), &info)) return 0;
    const int columns = info.srWindow.Right - info.srWindow.Left + 1;
    return columns > 0 ? static_cast<std::size_t>(columns) : 0;
}

}  // namespace deskext::platform
