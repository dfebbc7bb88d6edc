// File on POSIX: open(2), pread(2), write(2), close(2).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "../posix/os_error.hpp"
#include "../posix/start_writeback.hpp"
#include "../posix/unique_fd.hpp"
#include "deskext/platform/file.hpp"
#include "deskext/platform/fs.hpp"

namespace deskext::platform {
namespace {

using detail::os_fail;
using detail::UniqueFd;

int fd_of(std::intptr_t handle) { return static_cast<int>(handle); }

// open(2), again when a signal interrupted it.
UniqueFd open_fd(const std::filesystem::path& path, int flags, mode_t mode = 0) {
    int fd = -1;
    do {
        fd = ::open(path.c_str(), flags, mode);
    } while (fd < 0 && errno == EINTR);
    return UniqueFd(fd);
}

}  // namespace

Result<File> File::open_read(const std::filesystem::path& path) {
    UniqueFd fd = open_fd(path, O_RDONLY | O_CLOEXEC);
    if (!fd.valid()) {
        // ENOTDIR: a component above it is a file, so the file cannot exist either.
        if (errno == ENOENT || errno == ENOTDIR)
            return fail(ErrorCode::not_found, "no such file: " + path.string());
        return os_fail("open", path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return os_fail("stat", path);
    if (S_ISDIR(st.st_mode))
        return fail(ErrorCode::filesystem, "cannot read " + path.string() + ": it is a directory");
    return File(fd.release(), path);
}

Result<File> File::create_new(const std::filesystem::path& path, std::uint32_t mode) {
    const auto perms = static_cast<mode_t>(mode & 0777U);
    // O_EXCL with O_NOFOLLOW: an existing name, a dangling symlink included, fails.
    constexpr int flags = O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd fd = open_fd(path, flags, perms);
    if (!fd.valid() && errno == ENOENT) {
        // Looked at only on a failure: most files go into directories that exist already.
        DESKEXT_TRY(platform::create_directories(path.parent_path()));
        fd = open_fd(path, flags, perms);
    }
    if (!fd.valid()) return os_fail("create", path);
    // open() honours the umask; the mode asked for is what the file must have.
    if (::fchmod(fd.get(), perms) != 0) return os_fail("set the mode of", path);
    return File(fd.release(), path);
}

Result<std::size_t> File::read_at(std::span<std::byte> buffer, std::int64_t offset) {
    ssize_t n = 0;
    do {
        n = ::pread(fd_of(m_handle), buffer.data(), buffer.size(), static_cast<off_t>(offset));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return os_fail("read", m_path);
    return static_cast<std::size_t>(n);
}

Result<void> File::write(std::span<const std::byte> data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd_of(m_handle), data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return os_fail("write", m_path);
        data = data.subspan(static_cast<std::size_t>(n));
    }
    return {};
}

void File::start_writeback() {
    if (is_open()) detail::start_writeback(fd_of(m_handle));
}

Result<void> File::close() {
    if (!is_open()) return {};
    if (::close(fd_of(std::exchange(m_handle, invalid_handle))) != 0)
        return os_fail("write", m_path);
    return {};
}

void File::reset() {
    if (is_open()) ::close(fd_of(std::exchange(m_handle, invalid_handle)));
}

}  // namespace deskext::platform
