#include <cstdlib>

#include "../common/env.hpp"

namespace deskext::platform::detail {

std::optional<std::filesystem::path> env_path(const char* name) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::filesystem::path(value);
}

}  // namespace deskext::platform::detail
