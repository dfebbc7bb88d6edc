// The parts of File that do not depend on the OS (reset() does: it closes the handle).

#include <utility>

#include "deskext/platform/file.hpp"

namespace deskext::platform {

File::File(File&& other) noexcept
    : m_handle(std::exchange(other.m_handle, invalid_handle)), m_path(std::move(other.m_path)) {}

File& File::operator=(File&& other) noexcept {
    if (this != &other) {
        reset();
        m_handle = std::exchange(other.m_handle, invalid_handle);
        m_path = std::move(other.m_path);
    }
    return *this;
}

File::~File() { reset(); }

}  // namespace deskext::platform
