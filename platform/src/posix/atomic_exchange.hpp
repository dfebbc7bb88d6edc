#pragma once
// Private to platform/: the OS's single-step directory exchange, where there is one.

#include <filesystem>

#include "deskext/error.hpp"

namespace deskext::platform::detail {

// Swaps a and b in one atomic step: renameat2(RENAME_EXCHANGE) on Linux, renamex_np(RENAME_SWAP)
// on macOS. true when done; false when this kernel or file system cannot (the caller then falls
// back to renames); an error for anything else (missing path, permission).
[[nodiscard]] Result<bool> try_atomic_exchange(const std::filesystem::path& a,
                                               const std::filesystem::path& b);

}  // namespace deskext::platform::detail
