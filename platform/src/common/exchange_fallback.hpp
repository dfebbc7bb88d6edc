#pragma once
// Private to platform/: swapping two directories where the OS has no atomic exchange.

#include <filesystem>

#include "deskext/error.hpp"

namespace deskext::platform::detail {

// a → <unique sibling of a>, b → a, sibling → b, through atomic_rename. Not one atomic step: a
// crash between the renames leaves one of the two under the sibling name, which the
// installer's next run cleans up. On a failure it puts back what it already moved.
[[nodiscard]] Result<void> exchange_by_renames(const std::filesystem::path& a,
                                               const std::filesystem::path& b);

}  // namespace deskext::platform::detail
