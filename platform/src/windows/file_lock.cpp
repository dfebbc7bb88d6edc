// LockFileEx locks on the whole lock file. Like flock they belong to the handle and are released
// by the OS when the process dies.

#include "deskext/platform/file_lock.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"

#include <windows.h>

#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace deskext::platform {
namespace {

constexpr auto poll_interval = std::chrono::milliseconds(20);

std::unexpected<Error> lock_fail(std::string_view action, const std::filesystem::path& path,
                                 DWORD err) {
    return std::unexpected(
        fs_error(action, path, std::error_code(static_cast<int>(err), std::system_category())));
}

HANDLE open_lock_file(const std::filesystem::path& file, DWORD access) {
    // FILE_SHARE_DELETE so that a holder can remove the file while others have it open.
    return ::CreateFileW(os_path(file).c_str(), access,
                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                         OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
}

// True when `handle` is still the file named `file` (its holder may have removed it).
bool still_named(HANDLE handle, const std::filesystem::path& file) {
    BY_HANDLE_FILE_INFORMATION held{};
    if (!::GetFileInformationByHandle(handle, &held) || held.nNumberOfLinks == 0) return false;
    HANDLE named = ::CreateFileW(os_path(file).c_str(), FILE_READ_ATTRIBUTES,
                                 FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                 OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (named == INVALID_HANDLE_VALUE) return false;
    BY_HANDLE_FILE_INFORMATION now{};
    const bool same = ::GetFileInformationByHandle(named, &now) &&
                      now.dwVolumeSerialNumber == held.dwVolumeSerialNumber &&
                      now.nFileIndexHigh == held.nFileIndexHigh &&
                      now.nFileIndexLow == held.nFileIndexLow;
    ::CloseHandle(named);
    return same;
}

}  // namespace

Result<FileLock> FileLock::acquire(const std::filesystem::path& file, LockMode mode,
                                   LockWait wait) {
    const DWORD flags = (mode == LockMode::exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0) |
                        (wait ? LOCKFILE_FAIL_IMMEDIATELY : 0);
    const auto deadline =
        wait ? std::chrono::steady_clock::now() + *wait : std::chrono::steady_clock::time_point{};
    while (true) {
        HANDLE handle = open_lock_file(file, GENERIC_READ | GENERIC_WRITE);
        if (handle == INVALID_HANDLE_VALUE && ::GetLastError() == ERROR_PATH_NOT_FOUND) {
            // The lock directory is removed by the last process out; one may be starting.
            DESKEXT_TRY(platform::create_directories(file.parent_path()));
            handle = open_lock_file(file, GENERIC_READ | GENERIC_WRITE);
        }
        if (handle == INVALID_HANDLE_VALUE) {
            const DWORD err = ::GetLastError();
            if (err != ERROR_ACCESS_DENIED && err != ERROR_WRITE_PROTECT)
                return lock_fail("open the lock file", file, err);
            handle = open_lock_file(file, GENERIC_READ);
            if (handle == INVALID_HANDLE_VALUE) return lock_fail("open the lock file", file, err);
        }
        bool locked = false;
        while (!locked) {
            OVERLAPPED whole{};
            if (::LockFileEx(handle, flags, 0, MAXDWORD, MAXDWORD, &whole)) {
                locked = true;
                continue;
            }
            const DWORD err = ::GetLastError();
            if (err != ERROR_LOCK_VIOLATION) {
                ::CloseHandle(handle);
                return lock_fail("lock", file, err);
            }
            if (std::chrono::steady_clock::now() >= deadline) {
                ::CloseHandle(handle);
                return fail(ErrorCode::busy, utf8_of(file) + " is locked by another process");
            }
            std::this_thread::sleep_for(poll_interval);
        }
        if (still_named(handle, file))
            return FileLock(reinterpret_cast<std::intptr_t>(handle), file, mode);
        ::CloseHandle(handle);
    }
}

void FileLock::release() {
    if (m_handle != invalid_handle)
        ::CloseHandle(reinterpret_cast<HANDLE>(std::exchange(m_handle, invalid_handle)));
}

Result<void> FileLock::remove_and_release() {
    if (m_handle == invalid_handle) return {};
    // Opened with FILE_SHARE_DELETE, so the name goes now; the file itself when the last handle
    // closes.
    if (!::DeleteFileW(os_path(m_path).c_str()) && ::GetLastError() != ERROR_FILE_NOT_FOUND) {
        const DWORD err = ::GetLastError();
        release();
        return lock_fail("remove the lock file", m_path, err);
    }
    release();
    return {};
}

}  // namespace deskext::platform
