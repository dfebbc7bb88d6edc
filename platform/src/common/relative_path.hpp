#pragma once
// Private to platform/: the lexical half of resolve_in_root, shared by every OS. The on-disk half
// (no existing component may be a link) lives in src/<os>/fs.cpp.

#include <string_view>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::platform::detail {

// Splits an image-relative path ("host/darwin/kubectl") into its components. Refuses, as
// ErrorCode::invalid_extension naming the path, anything that could leave the root or that is not
// normalised: an empty path or component, "..", a leading "/", a backslash or a NUL. "." components
// are dropped.
[[nodiscard]] Result<std::vector<std::string_view>> split_relative(std::string_view relative);

}  // namespace deskext::platform::detail
