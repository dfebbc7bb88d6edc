// POSIX paths are byte strings: UTF-8 ones pass through unchanged, in both directions.

#include "deskext/platform/utf8.hpp"

namespace deskext::platform {

std::filesystem::path path_from_utf8(std::string_view text) { return std::filesystem::path(text); }

std::string utf8_of(const std::filesystem::path& path) { return path.native(); }

std::string generic_utf8_of(const std::filesystem::path& path) { return path.generic_string(); }

std::vector<std::string> utf8_arguments(int argc, char** argv) {
    return std::vector<std::string>(argv, argv + argc);
}

}  // namespace deskext::platform
