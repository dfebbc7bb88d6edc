#pragma once
// Cross-process advisory locks on a lock file: flock(2) on POSIX, LockFileEx on Windows. The OS
// releases them when the holder dies, however it dies, so a lock file left behind by a killed
// process is never "held": it is only clutter, which the installer's cleanup removes.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "deskext/error.hpp"

namespace deskext::platform {

enum class LockMode {
    shared,     // any number of shared holders at once
    exclusive,  // one holder, no shared ones
};

// How long to wait for a lock another process holds: zero fails at once, nullopt waits forever.
using LockWait = std::optional<std::chrono::milliseconds>;
inline constexpr LockWait no_wait = std::chrono::milliseconds{0};

class FileLock {
public:
    // Opens (creating it, mode 0644, when absent) and locks `file`. While another process holds
    // an incompatible lock: ErrorCode::busy at once when `wait` is zero, after `wait` otherwise
    // (polling), never with nullopt. A lock file removed by its holder while we waited is not
    // trusted: the lock is taken again on whatever file now has the name, so removing a lock
    // file while holding it is safe. A lock file that exists but cannot be opened for writing
    // (read-only file system) is locked through a read-only descriptor.
    [[nodiscard]] static Result<FileLock> acquire(const std::filesystem::path& file, LockMode mode,
                                                  LockWait wait);

    FileLock() = default;
    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

    [[nodiscard]] bool held() const { return m_handle != invalid_handle; }
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    [[nodiscard]] LockMode mode() const { return m_mode; }

    // Removes the lock file while the lock is still held (nobody can be using it), then
    // releases. For lock files of things that no longer exist.
    [[nodiscard]] Result<void> remove_and_release();

    // Releases the lock (also done by the destructor).
    void release();

private:
    // A file descriptor on POSIX, a HANDLE on Windows.
    static constexpr std::intptr_t invalid_handle = -1;
    FileLock(std::intptr_t handle, std::filesystem::path path, LockMode mode)
        : m_handle(handle), m_path(std::move(path)), m_mode(mode) {}
    std::intptr_t m_handle = invalid_handle;
    std::filesystem::path m_path;
    LockMode m_mode = LockMode::exclusive;
};

}  // namespace deskext::platform
