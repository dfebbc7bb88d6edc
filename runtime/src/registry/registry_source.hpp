#pragma once
// The registry transport behind open_source(): `NAME[:TAG][@DIGEST]` and `docker://…`.

#include <memory>
#include <string_view>

#include "deskext/source/image_source.hpp"

namespace deskext::registry {

// Parses the reference (usage error when malformed) and prepares the source; nothing is
// fetched before resolve().
[[nodiscard]] Result<std::unique_ptr<ImageSource>> open_registry_source(
    std::string_view reference, const SourceOptions& options);

}  // namespace deskext::registry
