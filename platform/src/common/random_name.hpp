#pragma once
// Private to platform/: the random part of every temporary name platform/ makes (staging
// directories, pending files, the sibling a directory swap parks one side under).

#include <string>

namespace deskext::platform::detail {

// "xxxx-xxxx-xxxx": 48 bits from std::random_device as lowercase hex. Whoever creates a file or
// directory under such a name still does it exclusively (O_EXCL, mkdir, CREATE_NEW) and tries
// another name on a collision: the randomness only makes collisions rare and names unguessable.
[[nodiscard]] std::string random_name();

}  // namespace deskext::platform::detail
