#include "deskext/platform/standard_streams.hpp"

namespace deskext::platform {

// POSIX streams have no text mode: they write bytes as they are.
void set_binary_standard_streams() {}

}  // namespace deskext::platform
