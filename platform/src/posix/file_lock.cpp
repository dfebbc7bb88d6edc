// flock(2) locks. flock (not fcntl/lockf) because its locks belong to the open file description:
// two locks taken in one process conflict like locks of two processes, which the tests rely on,
// and closing an unrelated descriptor of the same file does not drop them.

#include "deskext/platform/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "../posix/unique_fd.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::platform {
namespace {

using detail::UniqueFd;

constexpr auto poll_interval = std::chrono::milliseconds(20);

std::unexpected<Error> lock_fail(std::string_view action, const std::filesystem::path& path,
                                 int err) {
    return std::unexpected(fs_error(action, path, std::error_code(err, std::generic_category())));
}

Result<UniqueFd> open_lock_file(const std::filesystem::path& file) {
    constexpr int flags = O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd fd(::open(file.c_str(), flags, 0644));
    if (!fd.valid() && errno == ENOENT) {
        // The lock directory is removed by the last process out; one may be starting.
        DESKEXT_TRY(platform::create_directories(file.parent_path()));
        fd = UniqueFd(::open(file.c_str(), flags, 0644));
    }
    if (fd.valid()) return fd;
    const int err = errno;
    // A read-only root (or one we may not write) can still be locked through an existing file.
    if (err == EROFS || err == EACCES) {
        fd = UniqueFd(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (fd.valid()) return fd;
    }
    return lock_fail("open the lock file", file, err);
}

// True when `fd` is still the file named `file`: its holder may have removed it (or removed it
// and a new one was created) while we waited for the lock.
bool still_named(int fd, const std::filesystem::path& file) {
    struct stat by_fd {};
    struct stat by_name {};
    return ::fstat(fd, &by_fd) == 0 && ::lstat(file.c_str(), &by_name) == 0 &&
           by_fd.st_dev == by_name.st_dev && by_fd.st_ino == by_name.st_ino;
}

}  // namespace

Result<FileLock> FileLock::acquire(const std::filesystem::path& file, LockMode mode,
                                   LockWait wait) {
    const int op = mode == LockMode::shared ? LOCK_SH : LOCK_EX;
    const auto deadline =
        wait ? std::chrono::steady_clock::now() + *wait : std::chrono::steady_clock::time_point{};
    while (true) {
        DESKEXT_TRY_ASSIGN(UniqueFd fd, open_lock_file(file));
        bool locked = false;
        while (!locked) {
            // Waiting forever blocks in the kernel; a bounded wait polls.
            if (::flock(fd.get(), wait ? op | LOCK_NB : op) == 0) {
                locked = true;
            } else if (errno == EINTR) {
                continue;
            } else if (errno != EWOULDBLOCK) {
                return lock_fail("lock", file, errno);
            } else if (std::chrono::steady_clock::now() >= deadline) {
                return fail(ErrorCode::busy, utf8_of(file) + " is locked by another process");
            } else {
                std::this_thread::sleep_for(poll_interval);
            }
        }
        if (still_named(fd.get(), file))
            return FileLock(static_cast<std::intptr_t>(fd.release()), file, mode);
        // The holder removed the file meanwhile: lock whatever has the name now.
    }
}

void FileLock::release() {
    // Closing the only descriptor of the open file description drops the flock.
    if (m_handle != invalid_handle)
        ::close(static_cast<int>(std::exchange(m_handle, invalid_handle)));
}

Result<void> FileLock::remove_and_release() {
    if (m_handle == invalid_handle) return {};
    if (::unlink(m_path.c_str()) != 0 && errno != ENOENT) {
        const int err = errno;
        release();
        return lock_fail("remove the lock file", m_path, err);
    }
    release();
    return {};
}

}  // namespace deskext::platform
