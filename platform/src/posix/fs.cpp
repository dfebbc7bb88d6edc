// File-system primitives on POSIX. Everything that walks a tree does it relative to directory
// descriptors with O_NOFOLLOW / AT_SYMLINK_NOFOLLOW, so a symlink planted in an extension
// directory can never redirect a chmod, a removal or a write outside it
// (docs/architecture.md, "Nothing escapes the root").

#include <dirent.h>
#include <fcntl.h>
#ifdef __linux__
#include <linux/fs.h>
#include <sys/ioctl.h>
#endif
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "../common/exchange_fallback.hpp"
#include "../common/relative_path.hpp"
#include "../posix/atomic_exchange.hpp"
#include "../posix/os_error.hpp"
#include "../posix/unique_fd.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/random_name.hpp"
#include "deskext/platform/test_seams.hpp"

namespace deskext::platform {
namespace {

using detail::os_fail;
using detail::UniqueFd;

constexpr mode_t k_owner_all = S_IRWXU;

// ---- remove_tree -----------------------------------------------------------------------------

// Opens a directory entry of `dirfd` for removal of its contents, without following a link. A
// directory we may not read (mode 0000, 0300) is first made u+rwx; so is one we may read but not
// write, whose entries could not be unlinked otherwise.
Result<UniqueFd> open_dir_for_removal(int dirfd, const char* name,
                                      const std::filesystem::path& shown) {
    constexpr int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd fd(::openat(dirfd, name, flags));
    if (!fd.valid() && errno == EACCES) {
        // AT_SYMLINK_NOFOLLOW: should the entry have become a link meanwhile, the C library
        // refuses (Linux) or changes the link itself (macOS); the target is never touched.
        if (::fchmodat(dirfd, name, k_owner_all, AT_SYMLINK_NOFOLLOW) != 0) {
            return os_fail("make removable", shown);
        }
        fd = UniqueFd(::openat(dirfd, name, flags));
    }
    if (!fd.valid()) return os_fail("open", shown);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return os_fail("inspect", shown);
    if ((st.st_mode & k_owner_all) != k_owner_all &&
        ::fchmod(fd.get(), (st.st_mode & 07777) | k_owner_all) != 0) {
        return os_fail("make removable", shown);
    }
    return fd;
}

struct DirCloser {
    void operator()(DIR* dir) const { ::closedir(dir); }
};

Result<std::vector<std::string>> list_names(int dirfd, const std::filesystem::path& shown) {
    UniqueFd dup(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
    if (!dup.valid()) return os_fail("read directory", shown);
    std::unique_ptr<DIR, DirCloser> dir(::fdopendir(dup.get()));
    if (!dir) return os_fail("read directory", shown);
    (void)dup.release();  // owned by the DIR now
    ::rewinddir(dir.get());

    std::vector<std::string> names;
    while (true) {
        errno = 0;
        const dirent* entry = ::readdir(dir.get());
        if (entry == nullptr) {
            if (errno != 0) return os_fail("read directory", shown);
            break;
        }
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..") names.emplace_back(name);
    }
    return names;
}

Result<void> remove_contents(int dirfd, const std::filesystem::path& shown) {
    DESKEXT_TRY_ASSIGN(const std::vector<std::string> names, list_names(dirfd, shown));
    for (const std::string& name : names) {
        const std::filesystem::path child = shown / name;
        struct stat st {};
        if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno == ENOENT) continue;
            return os_fail("inspect", child);
        }
        if (S_ISDIR(st.st_mode)) {
            DESKEXT_TRY_ASSIGN(UniqueFd sub, open_dir_for_removal(dirfd, name.c_str(), child));
            DESKEXT_TRY(remove_contents(sub.get(), child));
            sub.reset();
            if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT) {
                return os_fail("remove", child);
            }
        } else if (::unlinkat(dirfd, name.c_str(), 0) != 0 && errno != ENOENT) {
            return os_fail("remove", child);
        }
    }
    return {};
}

// ---- set_mode --------------------------------------------------------------------------------

// Where fchmodat(AT_SYMLINK_NOFOLLOW) is unsupported (glibc without /proc mounted): open the
// entry itself with O_NOFOLLOW, check it is what lstat saw, and fchmod the descriptor.
Result<void> set_mode_through_fd(const std::filesystem::path& path, const struct stat& seen,
                                 mode_t mode) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) return os_fail("change the mode of", path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return os_fail("inspect", path);
    if (st.st_dev != seen.st_dev || st.st_ino != seen.st_ino) {
        return os_fail("change the mode of", path, ESTALE);
    }
    if (::fchmod(fd.get(), mode) != 0) return os_fail("change the mode of", path);
    return {};
}

}  // namespace

Result<std::filesystem::path> resolve_in_root(const std::filesystem::path& root,
                                              std::string_view relative) {
    DESKEXT_TRY_ASSIGN(const std::vector<std::string_view> components,
                       detail::split_relative(relative));
    std::filesystem::path result = root;
    bool checking = true;  // once a component is missing, nothing below it exists either
    for (const std::string_view component : components) {
        result /= component;
        if (!checking) continue;
        struct stat st {};
        if (::lstat(result.c_str(), &st) != 0) {
            // ENOTDIR: an earlier component is a file; nothing can be below it, which is safe.
            if (errno == ENOENT || errno == ENOTDIR) {
                checking = false;
                continue;
            }
            return os_fail("inspect", result);
        }
        if (S_ISLNK(st.st_mode)) {
            return fail(ErrorCode::invalid_extension,
                        "unsafe path \"" + std::string(relative) + "\": " + result.string() +
                            " is a symbolic link, which could lead outside " + root.string());
        }
    }
    return result;
}

Result<void> atomic_rename(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0)
        return os_fail("rename " + from.string() + " to", to);
    return {};
}

Result<void> move_to_new_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    // link(2) never replaces nor follows an existing `to`; rename(2) would replace it.
    if (::link(from.c_str(), to.c_str()) != 0) return os_fail("create", to);
    if (::unlink(from.c_str()) != 0) return os_fail("remove", from);
    return {};
}

namespace {

// The bytes of `in` into `out` by read/write, from the current offsets on.
Result<void> copy_bytes(int in, int out, const std::filesystem::path& from,
                        const std::filesystem::path& to) {
    std::vector<char> buffer(1 << 20);
    while (true) {
        const ssize_t got = ::read(in, buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR) continue;
            return os_fail("read", from);
        }
        if (got == 0) return {};
        for (ssize_t done = 0; done < got;) {
            const ssize_t put =
                ::write(out, buffer.data() + done, static_cast<std::size_t>(got - done));
            if (put < 0) {
                if (errno == EINTR) continue;
                return os_fail("write", to);
            }
            done += put;
        }
    }
}

}  // namespace

Result<void> copy_to_new_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    UniqueFd in(::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!in.valid()) return os_fail("open", from);
    struct stat st {};
    if (::fstat(in.get(), &st) != 0) return os_fail("open", from);
    if (!S_ISREG(st.st_mode)) return os_fail("open", from, EINVAL);
    UniqueFd out(::open(to.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!out.valid()) return os_fail("create", to);
#ifdef __linux__
    // A reflink shares the blocks (btrfs, XFS); copy_file_range copies inside the kernel. Either
    // may be refused by the file system, then the bytes are copied by hand.
    if (::ioctl(out.get(), FICLONE, in.get()) == 0) {
        if (out.close() != 0) return os_fail("write", to);
        return {};
    }
    off_t left = st.st_size;
    while (left > 0) {
        const ssize_t copied = ::copy_file_range(in.get(), nullptr, out.get(), nullptr,
                                                 static_cast<std::size_t>(left), 0);
        if (copied < 0 && errno == EINTR) continue;
        if (copied <= 0) break;
        left -= copied;
    }
    if (left > 0) DESKEXT_TRY(copy_bytes(in.get(), out.get(), from, to));
#else
    DESKEXT_TRY(copy_bytes(in.get(), out.get(), from, to));
#endif
    if (out.close() != 0) return os_fail("write", to);
    return {};
}

Result<void> link_to_new_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    struct stat st {};
    if (::lstat(from.c_str(), &st) != 0) return os_fail("open", from);
    if (!S_ISREG(st.st_mode)) return os_fail("open", from, EINVAL);
    // linkat without AT_SYMLINK_FOLLOW names `from` itself; it never replaces nor follows `to`.
    if (::linkat(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), 0) != 0)
        return os_fail("create", to);
    return {};
}

Result<bool> exchange_directories(const std::filesystem::path& a, const std::filesystem::path& b) {
    // Both must be real directories: exchanging a symlink would swap the link, not the tree.
    for (const auto* path : {&a, &b}) {
        struct stat st {};
        if (::lstat(path->c_str(), &st) != 0) return os_fail("exchange", *path);
        if (!S_ISDIR(st.st_mode)) return os_fail("exchange", *path, ENOTDIR);
    }
    DESKEXT_TRY_ASSIGN(const bool swapped, detail::try_atomic_exchange(a, b));
    if (swapped) return true;
    DESKEXT_TRY(detail::exchange_by_renames(a, b));
    return false;
}

Result<void> fsync_path(const std::filesystem::path& path) {
    // O_RDONLY opens directories as well as files; fsync needs no write access.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) return os_fail("open", path);
    if (::fsync(fd.get()) != 0) {
        // Some file systems cannot sync a directory (EINVAL); their metadata needs no flush.
        struct stat st {};
        const int err = errno;
        if (!(err == EINVAL && ::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode))) {
            return os_fail("flush", path, err);
        }
    }
    return {};
}

Result<void> set_mode(const std::filesystem::path& path, std::uint32_t mode) {
    // Only the permission bits, never world-writable; setuid, setgid and sticky are dropped.
    const auto wanted = static_cast<mode_t>(mode & 0777U & ~0002U);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return os_fail("change the mode of", path);
    if (S_ISLNK(st.st_mode)) {
        return fail(ErrorCode::filesystem, "cannot change the mode of " + path.string() +
                                               ": it is a symbolic link (not followed)");
    }
    if (::fchmodat(AT_FDCWD, path.c_str(), wanted, AT_SYMLINK_NOFOLLOW) == 0) return {};
    if (errno == EOPNOTSUPP || errno == ENOTSUP || errno == ENOSYS) {
        return set_mode_through_fd(path, st, wanted);
    }
    return os_fail("change the mode of", path);
}

Result<bool> has_mode(const std::filesystem::path& path, std::uint32_t mode) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return os_fail("inspect", path);
    return (static_cast<std::uint32_t>(st.st_mode) & 07777U) == mode;
}

Result<std::filesystem::path> make_unique_dir(const std::filesystem::path& parent,
                                              std::string_view prefix) {
    if (prefix.find('/') != std::string_view::npos) {
        return fail(ErrorCode::internal,
                    "make_unique_dir: prefix \"" + std::string(prefix) + "\" contains a '/'");
    }
    constexpr int k_attempts = 100;
    for (int attempt = 0; attempt < k_attempts; ++attempt) {
        const std::filesystem::path candidate = parent / (std::string(prefix) + random_name());
        if (auto fault = injected_fault(candidate)) {
            return os_fail("create", candidate, fault->value());
        }
        if (::mkdir(candidate.c_str(), 0700) == 0) return candidate;
        if (errno != EEXIST) return os_fail("create", candidate);
    }
    return os_fail("create a unique directory in", parent, EEXIST);
}

Result<void> remove_tree(const std::filesystem::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        return os_fail("inspect", path);
    }
    if (!S_ISDIR(st.st_mode)) {
        // A symlink is removed as itself, never followed.
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) return os_fail("remove", path);
        return {};
    }
    DESKEXT_TRY_ASSIGN(UniqueFd dir, open_dir_for_removal(AT_FDCWD, path.c_str(), path));
    DESKEXT_TRY(remove_contents(dir.get(), path));
    dir.reset();
    if (::rmdir(path.c_str()) != 0 && errno != ENOENT) return os_fail("remove", path);
    return {};
}

std::filesystem::path os_path(const std::filesystem::path& path) { return path; }

Result<void> create_directories(const std::filesystem::path& path) {
    if (path.empty()) return os_fail("create", path, ENOENT);
    std::filesystem::path current;
    for (const auto& part : path) {
        current /= part;
        if (part == current.root_path() || part == "." || part.empty()) continue;
        const auto fault = injected_fault(current);
        if (!fault && ::mkdir(current.c_str(), 0755) == 0) continue;
        const int err = fault ? fault->value() : errno;
        struct stat st {};
        // Like mkdir -p: an existing directory (or a link to one, set up by the user) is fine,
        // whatever mkdir said (a read-only parent may answer EROFS before EEXIST).
        if (::stat(current.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) continue;
        return os_fail("create", current, err == EEXIST ? ENOTDIR : err);
    }
    return {};
}

Result<void> write_file(const std::filesystem::path& path, std::string_view data) {
    if (auto fault = injected_fault(path)) return os_fail("create", path, fault->value());
    UniqueFd fd(::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!fd.valid()) return os_fail("create", path);
    const char* next = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        const ssize_t written = ::write(fd.get(), next, left);
        if (written < 0) {
            if (errno == EINTR) continue;
            return os_fail("write", path);
        }
        next += written;
        left -= static_cast<std::size_t>(written);
    }
    if (fd.close() != 0) return os_fail("write", path);
    return {};
}

}  // namespace deskext::platform
