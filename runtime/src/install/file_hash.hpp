#pragma once

#include <cstdint>
#include <filesystem>

#include "deskext/digest.hpp"

namespace deskext {

// SHA-256 and size of a file's content, read in large blocks.
[[nodiscard]] Result<FileHash> hash_file(const std::filesystem::path& path);

}  // namespace deskext
