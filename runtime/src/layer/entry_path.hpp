#pragma once
// Normalisation of the names found in layer archives into image paths, refusing every name
// that could leave the image root. Private to the layer code.
// https://github.com/opencontainers/image-spec/blob/main/layer.md#filesystem-changeset

#include <cstddef>
#include <string>
#include <string_view>

#include "deskext/error.hpp"

namespace deskext::layer {

// "./a//b/./c/" → "a/b/c"; "." and "./" → "" (the root). Refuses (invalid_extension, naming
// `what`) absolute names, any ".." component, backslashes, drive letters ("C:"), NUL bytes and
// names longer than `max_bytes`.
[[nodiscard]] Result<std::string> normalise_entry_path(std::string_view name,
                                                       std::size_t max_bytes,
                                                       std::string_view what);

// True when `path` is already a normalised image path (what normalise_entry_path returns).
[[nodiscard]] bool is_normalised_path(std::string_view path);

}  // namespace deskext::layer
