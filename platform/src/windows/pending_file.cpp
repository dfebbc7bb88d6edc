// PendingFile on Windows: a hidden file beside the destination (Windows has no unnamed files),
// written through a C runtime descriptor and moved onto the destination with MoveFileExW.

#include <fcntl.h>
#include <io.h>
#include <share.h>
#include <sys/stat.h>

#include <cerrno>
#include <system_error>
#include <utility>

#include "../common/pending_file_names.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/pending_file.hpp"

namespace deskext::platform {
namespace {

constexpr int k_attempts = 100;  // random names tried before giving up

std::error_code crt_error(int code) { return {code, std::generic_category()}; }

}  // namespace

Result<PendingFile> PendingFile::create(std::filesystem::path destination) {
    for (int attempt = 0; attempt < k_attempts; ++attempt) {
        auto hidden = detail::pending_name(destination);
        int fd = -1;
        const errno_t failed = ::_wsopen_s(
            &fd, os_path(hidden).c_str(), _O_WRONLY | _O_CREAT | _O_EXCL | _O_BINARY | _O_NOINHERIT,
            _SH_DENYWR, _S_IREAD | _S_IWRITE);
        if (failed == 0) return PendingFile(std::move(destination), std::move(hidden), fd);
        if (failed != EEXIST) return std::unexpected(fs_error("create", hidden, crt_error(failed)));
    }
    return std::unexpected(
        fs_error("create a file in", detail::directory_of(destination), crt_error(EEXIST)));
}

Result<std::int64_t> PendingFile::publish() {
    if (::_commit(m_fd) != 0) return std::unexpected(fs_error("flush", m_hidden, crt_error(errno)));
    struct _stat64 st {};
    if (::_fstat64(m_fd, &st) != 0)
        return std::unexpected(fs_error("stat", m_hidden, crt_error(errno)));
    if (::_close(std::exchange(m_fd, -1)) != 0)
        return std::unexpected(fs_error("write", m_hidden, crt_error(errno)));
    DESKEXT_TRY(atomic_rename(m_hidden, m_destination));
    m_hidden.clear();
    return static_cast<std::int64_t>(st.st_size);
}

void PendingFile::discard() {
    if (m_fd >= 0) ::_close(std::exchange(m_fd, -1));
    if (!m_hidden.empty()) ::_wunlink(os_path(m_hidden).c_str());
    m_hidden.clear();
}

}  // namespace deskext::platform
