#pragma once

#include <cstdint>
#include <filesystem>

#include "deskext/digest.hpp"

namespace deskext {

struct FileHash {
    Digest digest;
    std::int64_t size = 0;
};

// SHA-256 and size of a file's content, read in large blocks.
[[nodiscard]] Result<FileHash> hash_file(const std::filesystem::path& path);

}  // namespace deskext
