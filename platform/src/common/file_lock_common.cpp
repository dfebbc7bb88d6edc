// The parts of FileLock that do not depend on the OS (release() does: it closes the handle).

#include <utility>

#include "deskext/platform/file_lock.hpp"

namespace deskext::platform {

FileLock::FileLock(FileLock&& other) noexcept
    : m_handle(std::exchange(other.m_handle, invalid_handle)),
      m_path(std::move(other.m_path)),
      m_mode(other.m_mode) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
    if (this != &other) {
        release();
        m_handle = std::exchange(other.m_handle, invalid_handle);
        m_path = std::move(other.m_path);
        m_mode = other.m_mode;
    }
    return *this;
}

FileLock::~FileLock() { release(); }

}  // namespace deskext::platform
