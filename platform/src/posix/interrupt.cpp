#include "deskext/platform/interrupt.hpp"

namespace deskext::platform {

void exit_on_interrupt() {}

}  // namespace deskext::platform
