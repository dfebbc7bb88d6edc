#pragma once
// An open regular file for the runtime's readers and writers: a file descriptor on POSIX, a
// HANDLE on Windows. Failures are ErrorCode::filesystem naming the path and the OS's reason, as
// in fs.hpp ("cannot create /x/y: No space left on device").

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>

#include "deskext/error.hpp"

namespace deskext::platform {

class File {
public:
    // Opens an existing regular file for reading. ErrorCode::not_found ("no such file: <path>")
    // when it does not exist; a directory is refused ("cannot read <path>: it is a directory").
    // On Windows other processes may still write, rename and remove the file while it is open,
    // as on POSIX.
    [[nodiscard]] static Result<File> open_read(const std::filesystem::path& path);

    // Creates `path` new, for writing: an existing entry there, a symbolic link included, fails
    // ("File exists"), so that nothing is ever written through a link. Missing directories above
    // it are created (mode 0755). The file gets the permission bits of `mode` whatever the umask;
    // Windows has none and keeps only the owner's write bit, as the read-only attribute (see
    // set_mode).
    [[nodiscard]] static Result<File> create_new(const std::filesystem::path& path,
                                                 std::uint32_t mode);

    File() = default;
    File(File&& other) noexcept;
    File& operator=(File&& other) noexcept;
    File(const File&) = delete;
    File& operator=(const File&) = delete;
    ~File();  // closes; a writer that must know its data made it calls close() first

    [[nodiscard]] bool is_open() const { return m_handle != invalid_handle; }
    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }

    // Reads up to buffer.size() bytes from `offset` on; 0 at the end of the file. No file
    // position is used or moved.
    [[nodiscard]] Result<std::size_t> read_at(std::span<std::byte> buffer, std::int64_t offset);

    // Writes all of `data` after what was written before.
    [[nodiscard]] Result<void> write(std::span<const std::byte> data);

    // Asks the OS to start writing the file's data to disk now, without waiting for it (see
    // start_writeback in fs.hpp). Best effort; does nothing where the OS has no such call.
    void start_writeback();

    // Closes the file and reports the failure of a write the OS had deferred until then.
    [[nodiscard]] Result<void> close();

private:
    // A file descriptor on POSIX, a HANDLE on Windows (INVALID_HANDLE_VALUE is -1 too).
    static constexpr std::intptr_t invalid_handle = -1;
    File(std::intptr_t handle, std::filesystem::path path)
        : m_handle(handle), m_path(std::move(path)) {}
    void reset();  // closes, ignoring a failure

    std::intptr_t m_handle = invalid_handle;
    std::filesystem::path m_path;
};

}  // namespace deskext::platform
