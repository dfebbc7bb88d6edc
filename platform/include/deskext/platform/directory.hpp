#pragma once
// Listing a directory without following links, through the platform layer, so that paths of any
// length work (on Windows std::filesystem's iterators are limited to MAX_PATH: mingw-w64's
// _wopendir).

#include <filesystem>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::platform {

enum class EntryType { file, directory, symlink, other };

struct DirectoryEntry {
    std::filesystem::path name;  // the entry's name, without the directory
    EntryType type = EntryType::other;
};

// The entries of `dir`, without "." and "..", in no particular order. A symbolic link (on
// Windows any reparse point: a junction too) is `symlink`, never followed. Fails with
// ErrorCode::filesystem ("cannot list DIR: reason") when `dir` cannot be read.
[[nodiscard]] Result<std::vector<DirectoryEntry>> list_directory(const std::filesystem::path& dir);

}  // namespace deskext::platform
