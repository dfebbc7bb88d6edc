#pragma once
// Move-only owner of a libarchive read handle, shared by the layer reader and the archive
// sources. Private to runtime/src: <archive.h> never reaches a public header.

#include <archive.h>

#include <new>
#include <utility>

namespace deskext {

class ArchiveReadHandle {
public:
    // A new read handle; throws std::bad_alloc when libarchive cannot allocate one (there is
    // nothing sensible to do then but to stop).
    ArchiveReadHandle() : m_archive(archive_read_new()) {
        if (m_archive == nullptr) throw std::bad_alloc();
    }
    ~ArchiveReadHandle() {
        if (m_archive != nullptr) archive_read_free(m_archive);
    }
    ArchiveReadHandle(ArchiveReadHandle&& other) noexcept
        : m_archive(std::exchange(other.m_archive, nullptr)) {}
    ArchiveReadHandle& operator=(ArchiveReadHandle&& other) noexcept {
        if (this != &other) {
            if (m_archive != nullptr) archive_read_free(m_archive);
            m_archive = std::exchange(other.m_archive, nullptr);
        }
        return *this;
    }
    ArchiveReadHandle(const ArchiveReadHandle&) = delete;
    ArchiveReadHandle& operator=(const ArchiveReadHandle&) = delete;

    [[nodiscard]] archive* get() const { return m_archive; }

private:
    archive* m_archive;
};

}  // namespace deskext
