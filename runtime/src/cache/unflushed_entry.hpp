#pragma once
// The way the cache writes what it keeps beside the blobs and checks whenever it reads it (layer
// indexes, manifests): a temporary file in the entry's directory renamed into place, without a
// flush. An entry cut short by a crash fails its reader's check and is written again, so a
// flush, which would make the writer wait for the disk, buys nothing.

#include <filesystem>
#include <string_view>

#include "deskext/error.hpp"

namespace deskext::cache {

// Writes `data` to `path` (its directory created when needed) through a temporary file; nothing
// is left behind on failure.
[[nodiscard]] Result<void> write_unflushed_entry(const std::filesystem::path& path,
                                                 std::string_view data);

}  // namespace deskext::cache
