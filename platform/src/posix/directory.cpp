// list_directory on POSIX: opendir/readdir, lstat where the file system gives no d_type.

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "deskext/platform/directory.hpp"
#include "deskext/platform/fs.hpp"

namespace deskext::platform {
namespace {

EntryType type_of_mode(mode_t mode) {
    if (S_ISLNK(mode)) return EntryType::symlink;
    if (S_ISDIR(mode)) return EntryType::directory;
    if (S_ISREG(mode)) return EntryType::file;
    return EntryType::other;
}

}  // namespace

Result<std::vector<DirectoryEntry>> list_directory(const std::filesystem::path& dir) {
    DIR* stream = ::opendir(dir.c_str());
    if (stream == nullptr)
        return std::unexpected(fs_error("list", dir, {errno, std::generic_category()}));
    std::vector<DirectoryEntry> entries;
    int error = 0;
    for (;;) {
        errno = 0;
        const dirent* entry = ::readdir(stream);
        if (entry == nullptr) {
            error = errno;
            break;
        }
        if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
        DirectoryEntry listed{entry->d_name, EntryType::other};
        switch (entry->d_type) {
            case DT_LNK:
                listed.type = EntryType::symlink;
                break;
            case DT_DIR:
                listed.type = EntryType::directory;
                break;
            case DT_REG:
                listed.type = EntryType::file;
                break;
            case DT_UNKNOWN: {
                struct stat st {};
                if (::fstatat(::dirfd(stream), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                    listed.type = type_of_mode(st.st_mode);
                break;
            }
            default:
                break;
        }
        entries.push_back(std::move(listed));
    }
    ::closedir(stream);
    if (error != 0) return std::unexpected(fs_error("list", dir, {error, std::generic_category()}));
    return entries;
}

}  // namespace deskext::platform
