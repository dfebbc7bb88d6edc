#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include "../common/fsync_each.hpp"
#include "../posix/start_writeback.hpp"
#include "../posix/unique_fd.hpp"
#include "deskext/platform/fs.hpp"

namespace deskext::platform {
namespace {

// What syncfs may write back beyond the paths themselves before flushing them one by one is
// cheaper.
constexpr std::uint64_t k_others_unwritten_max = std::uint64_t{64} << 20;

// Page-cache bytes waiting to be written or being written, machine-wide (/proc/meminfo Dirty
// and Writeback); nullopt when unknown.
std::optional<std::uint64_t> unwritten_bytes() {
    std::ifstream meminfo("/proc/meminfo");
    std::optional<std::uint64_t> total;
    std::string key;
    std::uint64_t kib = 0;
    std::string unit;
    while (meminfo >> key >> kib) {
        std::getline(meminfo, unit);
        if (key == "Dirty:" || key == "Writeback:") total = total.value_or(0) + kib * 1024;
    }
    return total;
}

std::uint64_t size_of(const std::vector<std::filesystem::path>& paths) {
    std::uint64_t bytes = 0;
    for (const auto& path : paths) {
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0) bytes += static_cast<std::uint64_t>(st.st_size);
    }
    return bytes;
}

bool sync_file_system(const std::filesystem::path& path) {
    detail::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    return fd.valid() && ::syncfs(fd.get()) == 0;
}

}  // namespace

// Two ways, chosen by how much else is waiting to be written. syncfs(2) flushes a staging tree
// of hundreds of files with one call and one disk-cache flush, where fsync(2) pays one of each
// per file; but it also writes back every other program's dirty data on the file system, which
// on a busy machine (a large copy, an image pull) can take seconds. So syncfs is used only while
// the machine's unwritten data is little more than the paths' own; otherwise, as dpkg does, the
// writeback of every path is started at once (sync_file_range, which does not wait), then each
// one is fsynced, which mostly waits for writeback already under way.
Result<void> flush_paths(const std::vector<std::filesystem::path>& paths) {
    if (paths.empty()) return {};
    const auto unwritten = unwritten_bytes();
    if (unwritten && *unwritten <= size_of(paths) + k_others_unwritten_max &&
        sync_file_system(paths.front()))
        return {};
    // Best effort: the fsync below reports what fails.
    for (const auto& path : paths) start_writeback(path);
    return detail::fsync_each(paths);
}

void start_writeback(const std::filesystem::path& path) {
    // sync_file_range needs no write access: a read-only descriptor names the same file data.
    detail::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (fd.valid()) detail::start_writeback(fd.get());
}

void detail::start_writeback(int fd) { (void)::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE); }

}  // namespace deskext::platform
