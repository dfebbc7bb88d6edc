#pragma once
// Private to platform/: where a PendingFile lives before it is published.

#include <filesystem>

namespace deskext::platform::detail {

// The destination's directory ("." for a bare file name).
[[nodiscard]] std::filesystem::path directory_of(const std::filesystem::path& destination);

// A hidden name beside the destination, ".<name>.tmp-<random>" (48 random bits).
[[nodiscard]] std::filesystem::path pending_name(const std::filesystem::path& destination);

}  // namespace deskext::platform::detail
