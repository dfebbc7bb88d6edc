#pragma once
// When a cache entry was last used, for the least-recently-used eviction past the size cap: its
// modification time, set when it is written and again whenever an install finds it. Nothing
// else reads an entry's time, and setting it changes nothing a crash could leave half done.

#include <filesystem>

namespace deskext::cache {

// Sets the entry's modification time to now. Best effort: a cache on a read-only file system
// keeps its times, and only the order of eviction suffers.
void mark_used(const std::filesystem::path& entry);

}  // namespace deskext::cache
