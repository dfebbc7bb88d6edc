#pragma once
// Private to platform/: start_writeback (fs.hpp) for an open descriptor, per OS
// (sync_file_range on Linux, nothing on macOS).

namespace deskext::platform::detail {

void start_writeback(int fd);

}  // namespace deskext::platform::detail
