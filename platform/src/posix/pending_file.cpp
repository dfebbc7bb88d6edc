// PendingFile on POSIX: unnamed (O_TMPFILE) on Linux where the kernel and the file system have
// it, else a hidden file beside the destination.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

#include "../common/pending_file_names.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/pending_file.hpp"

namespace deskext::platform {
namespace {

constexpr int k_attempts = 100;  // random names tried before giving up

using detail::directory_of;
using detail::pending_name;

std::error_code last_error() { return {errno, std::generic_category()}; }

}  // namespace

Result<PendingFile> PendingFile::create(std::filesystem::path destination) {
    const auto dir = directory_of(destination);
#ifdef __linux__
    // Publishing links it in through /proc/self/fd, so /proc must be there. EISDIR and
    // EOPNOTSUPP say that the kernel or the file system has no O_TMPFILE.
    if (::access("/proc/self/fd", X_OK) == 0) {
        const int fd = ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
        if (fd >= 0) {
            PendingFile file(std::move(destination), {}, fd);
            // Whatever the umask: the file is meant to be handed around.
            if (::fchmod(fd, 0644) != 0)
                return std::unexpected(fs_error("chmod", file.describe(), last_error()));
            return file;
        }
        if (errno != EISDIR && errno != EOPNOTSUPP)
            return std::unexpected(fs_error("create a file in", dir, last_error()));
    }
#endif
    for (int attempt = 0; attempt < k_attempts; ++attempt) {
        auto hidden = pending_name(destination);
        const int fd =
            ::open(hidden.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (fd >= 0) {
            PendingFile file(std::move(destination), std::move(hidden), fd);
            if (::fchmod(fd, 0644) != 0)
                return std::unexpected(fs_error("chmod", file.m_hidden, last_error()));
            return file;
        }
        if (errno != EEXIST) return std::unexpected(fs_error("create", hidden, last_error()));
    }
    return std::unexpected(
        fs_error("create a file in", dir, std::error_code(EEXIST, std::generic_category())));
}

Result<std::int64_t> PendingFile::publish() {
    if (::fsync(m_fd) != 0) return std::unexpected(fs_error("fsync", describe(), last_error()));
    struct stat st {};
    if (::fstat(m_fd, &st) != 0) return std::unexpected(fs_error("stat", describe(), last_error()));
    // An unnamed file gets a hidden name first (linkat cannot replace the destination), then
    // the rename puts it in place in one step. Only a kill between the two leaves it behind.
    for (int attempt = 0; m_hidden.empty(); ++attempt) {
        auto hidden = pending_name(m_destination);
        const auto self = "/proc/self/fd/" + std::to_string(m_fd);
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, hidden.c_str(), AT_SYMLINK_FOLLOW) == 0) {
            m_hidden = std::move(hidden);
        } else if (errno != EEXIST || attempt + 1 == k_attempts) {
            return std::unexpected(fs_error("create", hidden, last_error()));
        }
    }
    if (::close(std::exchange(m_fd, -1)) != 0)
        return std::unexpected(fs_error("write", m_hidden, last_error()));
    DESKEXT_TRY(atomic_rename(m_hidden, m_destination));
    m_hidden.clear();
    DESKEXT_TRY(fsync_path(directory_of(m_destination)));
    return static_cast<std::int64_t>(st.st_size);
}

void PendingFile::discard() {
    if (m_fd >= 0) ::close(std::exchange(m_fd, -1));
    if (!m_hidden.empty()) ::unlink(m_hidden.c_str());
    m_hidden.clear();
}

}  // namespace deskext::platform
