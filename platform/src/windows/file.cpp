// File on Windows: CreateFileW, ReadFile at an offset (OVERLAPPED), WriteFile, CloseHandle. Every
// handle shares reading, writing and deletion, so that other handles of the file (a download
// still being written, a reader of it) can rename or remove it meanwhile, as on POSIX.

#include <windows.h>

#include <utility>

#include "../windows/os_error.hpp"
#include "deskext/platform/file.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::platform {
namespace {

using detail::os_fail;

constexpr DWORD k_share_all = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
constexpr std::size_t k_chunk = std::size_t{1} << 30;  // ReadFile and WriteFile take a DWORD count

HANDLE handle_of(std::intptr_t handle) { return reinterpret_cast<HANDLE>(handle); }

bool names_directory(const std::filesystem::path& path) {
    const DWORD attributes = ::GetFileAttributesW(os_path(path).c_str());
    return attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

HANDLE create_handle(const std::filesystem::path& path, DWORD attributes) {
    // FILE_FLAG_OPEN_REPARSE_POINT: a link at `path` is never followed, whatever CREATE_NEW does
    // with an existing name.
    return ::CreateFileW(os_path(path).c_str(), GENERIC_WRITE, k_share_all, nullptr, CREATE_NEW,
                         attributes | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
}

}  // namespace

Result<File> File::open_read(const std::filesystem::path& path) {
    HANDLE handle = ::CreateFileW(os_path(path).c_str(), GENERIC_READ, k_share_all, nullptr,
                                  OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
        const DWORD code = ::GetLastError();
        if (detail::is_missing(code) || code == ERROR_DIRECTORY)
            return fail(ErrorCode::not_found, "no such file: " + utf8_of(path));
        // CreateFileW opens no directory without FILE_FLAG_BACKUP_SEMANTICS: access denied.
        if (code == ERROR_ACCESS_DENIED && names_directory(path))
            return fail(ErrorCode::filesystem,
                        "cannot read " + utf8_of(path) + ": it is a directory");
        return os_fail("open", path, code);
    }
    return File(reinterpret_cast<std::intptr_t>(handle), path);
}

Result<File> File::create_new(const std::filesystem::path& path, std::uint32_t mode) {
    const DWORD attributes = (mode & 0200U) != 0 ? FILE_ATTRIBUTE_NORMAL : FILE_ATTRIBUTE_READONLY;
    HANDLE handle = create_handle(path, attributes);
    if (handle == INVALID_HANDLE_VALUE && ::GetLastError() == ERROR_PATH_NOT_FOUND) {
        // Looked at only on a failure: most files go into directories that exist already.
        DESKEXT_TRY(platform::create_directories(path.parent_path()));
        handle = create_handle(path, attributes);
    }
    if (handle == INVALID_HANDLE_VALUE) return os_fail("create", path);
    return File(reinterpret_cast<std::intptr_t>(handle), path);
}

Result<std::size_t> File::read_at(std::span<std::byte> buffer, std::int64_t offset) {
    OVERLAPPED at{};
    at.Offset = static_cast<DWORD>(static_cast<std::uint64_t>(offset) & 0xffffffffU);
    at.OffsetHigh = static_cast<DWORD>(static_cast<std::uint64_t>(offset) >> 32);
    const auto want = static_cast<DWORD>(buffer.size() < k_chunk ? buffer.size() : k_chunk);
    DWORD got = 0;
    if (!::ReadFile(handle_of(m_handle), buffer.data(), want, &got, &at)) {
        const DWORD code = ::GetLastError();
        // A read that starts at or past the end of a file opened for synchronous access.
        if (code == ERROR_HANDLE_EOF) return std::size_t{0};
        return os_fail("read", m_path, code);
    }
    return static_cast<std::size_t>(got);
}

Result<void> File::write(std::span<const std::byte> data) {
    while (!data.empty()) {
        const auto want = static_cast<DWORD>(data.size() < k_chunk ? data.size() : k_chunk);
        DWORD written = 0;
        if (!::WriteFile(handle_of(m_handle), data.data(), want, &written, nullptr))
            return os_fail("write", m_path);
        data = data.subspan(written);
    }
    return {};
}

// Windows has no call that starts the writeback of a file without waiting for it.
void File::start_writeback() {}

Result<void> File::close() {
    if (!is_open()) return {};
    if (!::CloseHandle(handle_of(std::exchange(m_handle, invalid_handle))))
        return os_fail("write", m_path);
    return {};
}

void File::reset() {
    if (is_open()) ::CloseHandle(handle_of(std::exchange(m_handle, invalid_handle)));
}

}  // namespace deskext::platform
