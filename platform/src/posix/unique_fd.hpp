#pragma once
// Private to platform/: a move-only owner of a POSIX file descriptor.

#include <unistd.h>

#include <utility>

namespace deskext::platform::detail {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset();
            m_fd = std::exchange(other.m_fd, -1);
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    [[nodiscard]] int get() const { return m_fd; }
    [[nodiscard]] bool valid() const { return m_fd >= 0; }
    [[nodiscard]] int release() { return std::exchange(m_fd, -1); }

    // Closes now and reports close(2)'s result (0, or -1 with errno set), for writers that must
    // know whether their data made it.
    int close() {
        if (m_fd < 0) return 0;
        return ::close(std::exchange(m_fd, -1));
    }

    void reset() {
        if (m_fd >= 0) ::close(std::exchange(m_fd, -1));
    }

private:
    int m_fd = -1;
};

}  // namespace deskext::platform::detail
