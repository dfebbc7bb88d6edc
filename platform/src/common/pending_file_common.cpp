// The parts of PendingFile that do not depend on the OS.

#include <utility>

#include "../common/pending_file_names.hpp"
#include "deskext/platform/pending_file.hpp"
#include "deskext/platform/random_name.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::platform {

namespace detail {

std::filesystem::path directory_of(const std::filesystem::path& destination) {
    auto dir = destination.parent_path();
    return dir.empty() ? std::filesystem::path(".") : dir;
}

std::filesystem::path pending_name(const std::filesystem::path& destination) {
    std::filesystem::path name = ".";
    name += destination.filename();
    name += ".tmp-" + random_name();
    return directory_of(destination) / name;
}

}  // namespace detail

PendingFile::PendingFile(PendingFile&& other) noexcept
    : m_destination(std::move(other.m_destination)),
      m_hidden(std::exchange(other.m_hidden, {})),
      m_fd(std::exchange(other.m_fd, -1)) {}

PendingFile& PendingFile::operator=(PendingFile&& other) noexcept {
    if (this != &other) {
        discard();
        m_destination = std::move(other.m_destination);
        m_hidden = std::exchange(other.m_hidden, {});
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

PendingFile::~PendingFile() { discard(); }

std::string PendingFile::describe() const {
    return m_hidden.empty() ? utf8_of(m_destination) + " (being written)" : utf8_of(m_hidden);
}

}  // namespace deskext::platform
