#include "deskext/platform/system_proxy.hpp"

namespace deskext::platform {

// The environment is the system's proxy setting here, and the runtime reads it itself.
std::optional<std::string> system_proxy_for(std::string_view) { return std::nullopt; }

}  // namespace deskext::platform
