#include "deskext/platform/standard_streams.hpp"

#include <fcntl.h>
#include <io.h>
#include <stdio.h>

namespace deskext::platform {

void set_binary_standard_streams() {
    // Fails only for a stream that is not open (started without one): then nothing is written.
    (void)_setmode(_fileno(stdout), _O_BINARY);
    (void)_setmode(_fileno(stderr), _O_BINARY);
}

}  // namespace deskext::platform
