#pragma once
// A file written beside its destination and put in place only once it is complete, so that a
// failed, interrupted or killed writer never leaves a partial file under the destination's name
// (the export's bundle).

#include <cstdint>
#include <filesystem>
#include <string>

#include "deskext/error.hpp"

namespace deskext::platform {

class PendingFile {
public:
    // Creates the file, mode 0644, in `destination`'s directory (the same file system, so that
    // publishing it is one rename). On Linux it has no name at all until it is published
    // (O_TMPFILE): a process killed while writing it leaves nothing behind. Elsewhere, and on
    // file systems without unnamed files, it is the hidden file ".<name>.tmp-<random>" beside
    // the destination, removed when the PendingFile is destroyed unpublished.
    [[nodiscard]] static Result<PendingFile> create(std::filesystem::path destination);

    PendingFile(PendingFile&& other) noexcept;
    PendingFile& operator=(PendingFile&& other) noexcept;
    PendingFile(const PendingFile&) = delete;
    PendingFile& operator=(const PendingFile&) = delete;
    ~PendingFile();  // an unpublished file is closed and removed

    // The descriptor to write to (a C runtime descriptor on Windows).
    [[nodiscard]] int fd() const { return m_fd; }
    // The file, for messages: its hidden name, or the destination's with "(being written)".
    [[nodiscard]] std::string describe() const;
    // Flushes the file to disk, closes it, puts it at the destination (replacing a file there
    // in one step) and flushes the directory. Returns the file's size in bytes.
    [[nodiscard]] Result<std::int64_t> publish();

private:
    PendingFile(std::filesystem::path destination, std::filesystem::path hidden, int fd)
        : m_destination(std::move(destination)), m_hidden(std::move(hidden)), m_fd(fd) {}
    void discard();

    std::filesystem::path m_destination;
    std::filesystem::path m_hidden;  // empty while the file has no name (O_TMPFILE)
    int m_fd = -1;
};

}  // namespace deskext::platform
