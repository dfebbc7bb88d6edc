#pragma once
// The random part of every temporary name deskext makes: staging directories, pending files, the
// sibling a directory swap parks one side under, the blob cache's files being written.

#include <string>

namespace deskext::platform {

// "xxxx-xxxx-xxxx": 48 bits from std::random_device as lowercase hex. Whoever creates a file or
// directory under such a name still does it exclusively (O_EXCL, mkdir, CREATE_NEW) or renames it
// into place, and tries another name on a collision: the randomness only makes collisions rare
// and names unguessable. Safe from several threads.
[[nodiscard]] std::string random_name();

}  // namespace deskext::platform
