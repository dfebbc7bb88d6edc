#include "deskext/platform/terminal.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

namespace deskext::platform {

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

std::size_t stderr_terminal_columns() {
    winsize size{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) != 0) return 0;
    return size.ws_col;
}

}  // namespace deskext::platform
