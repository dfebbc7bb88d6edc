#pragma once
// A move-only owner of a POSIX file descriptor (private to runtime/src).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "deskext/error.hpp"

namespace deskext::io {

class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : m_fd(fd) {}
    ~FileDescriptor() { reset(); }
    FileDescriptor(FileDescriptor&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) {
            reset();
            m_fd = std::exchange(other.m_fd, -1);
        }
        return *this;
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    // Opens read-only; ErrorCode::not_found when the file does not exist, filesystem otherwise.
    [[nodiscard]] static Result<FileDescriptor> open_read(const std::string& path) {
        int fd = -1;
        do {
            fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            const int err = errno;
            if (err == ENOENT || err == ENOTDIR)
                return fail(ErrorCode::not_found, "no such file: " + path);
            return fail(ErrorCode::filesystem, "cannot open " + path + ": " + std::strerror(err));
        }
        return FileDescriptor(fd);
    }

    [[nodiscard]] int get() const { return m_fd; }
    [[nodiscard]] bool valid() const { return m_fd >= 0; }

    void reset() {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = -1;
    }

private:
    int m_fd = -1;
};

}  // namespace deskext::io
