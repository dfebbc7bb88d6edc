#include "deskext/platform/terminal.hpp"

#include <unistd.h>

namespace deskext::platform {

bool stderr_is_terminal() { return isatty(STDERR_FILENO) == 1; }

}  // namespace deskext::platform
