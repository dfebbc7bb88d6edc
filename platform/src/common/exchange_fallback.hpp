#pragma once
// Private to platform/: swapping two directories where the OS has no atomic exchange.

#include <filesystem>

#include "deskext/error.hpp"

namespace deskext::platform::detail {

// b → ".<b's name>.swap-<random>" beside it, a → b, that parked name → a, through
// atomic_rename. Not one atomic step: a crash between the renames leaves b's old content under
// the parked name, which platform::recover_parked (fs.hpp) puts back in place or removes. On a
// failure it puts back what it already moved.
[[nodiscard]] Result<void> exchange_by_renames(const std::filesystem::path& a,
                                               const std::filesystem::path& b);

}  // namespace deskext::platform::detail
