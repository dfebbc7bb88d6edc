#include "deskext/platform/terminal.hpp"

#include <io.h>
#include <stdio.h>

namespace deskext::platform {

bool stderr_is_terminal() { return _isatty(_fileno(stderr)) != 0; }

}  // namespace deskext::platform
