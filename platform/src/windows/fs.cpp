// File-system primitives on Windows. There are no symlink-safe *at() calls here, so every walk
// checks FILE_ATTRIBUTE_REPARSE_POINT (symlinks and junctions) before it descends: a link is
// removed or refused as itself, never followed (docs/architecture.md, "Nothing escapes the root").

#include <windows.h>

#include <array>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "../common/exchange_fallback.hpp"
#include "../common/relative_path.hpp"
#include "../windows/os_error.hpp"
#include "../windows/unique_handle.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/random_name.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::platform {
namespace {

using detail::is_missing;
using detail::os_fail;
using detail::UniqueFindHandle;
using detail::UniqueHandle;

bool ieq(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto lower = [](char c) {
            return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// Names Windows treats specially whatever the directory ("CON", "nul.txt", "a." aliasing "a"):
// writing them would reach a device or another file than the one named.
bool is_windows_special(std::string_view component) {
    if (component.back() == '.' || component.back() == ' ') return true;
    const std::string_view stem = component.substr(0, component.find('.'));
    static constexpr std::array<std::string_view, 6> k_devices{"con", "prn",    "aux",
                                                               "nul", "conin$", "conout$"};
    for (std::string_view device : k_devices) {
        if (ieq(stem, device)) return true;
    }
    if (stem.size() == 4 && (ieq(stem.substr(0, 3), "com") || ieq(stem.substr(0, 3), "lpt")) &&
        stem[3] >= '0' && stem[3] <= '9') {
        return true;
    }
    return false;
}

constexpr DWORD k_share_all = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

// Whether another process holds the file `path` so that it can be neither replaced nor removed:
// a program running from it (its image is mapped), or a handle opened without FILE_SHARE_WRITE
// or FILE_SHARE_DELETE. A read-only file refuses write access whoever holds it: it is asked for
// DELETE alone then.
bool in_use(const std::filesystem::path& path) {
    for (const DWORD access :
         {static_cast<DWORD>(GENERIC_WRITE | DELETE), static_cast<DWORD>(DELETE)}) {
        const UniqueHandle file(::CreateFileW(os_path(path).c_str(), access, k_share_all, nullptr,
                                              OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT,
                                              nullptr));
        if (file.valid()) return false;
        const DWORD code = ::GetLastError();
        if (code == ERROR_SHARING_VIOLATION) return true;
        if (code != ERROR_ACCESS_DENIED) return false;
    }
    return false;
}

// The first file under `path` (itself when it is a file) that is in use, not through links.
std::optional<std::filesystem::path> find_in_use(const std::filesystem::path& path) {
    const DWORD attributes = ::GetFileAttributesW(os_path(path).c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES || (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
        return std::nullopt;
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0)
        return in_use(path) ? std::optional(path) : std::nullopt;
    WIN32_FIND_DATAW found{};
    UniqueFindHandle find(::FindFirstFileExW(os_path(path / L"*").c_str(), FindExInfoBasic, &found,
                                             FindExSearchNameMatch, nullptr, 0));
    if (!find.valid()) return std::nullopt;
    std::vector<std::filesystem::path> children;
    do {
        const std::wstring_view name = found.cFileName;
        if (name != L"." && name != L"..") children.push_back(path / name);
    } while (::FindNextFileW(find.get(), &found));
    find.reset();
    for (const auto& child : children) {
        if (auto busy = find_in_use(child)) return busy;
    }
    return std::nullopt;
}

// When `what` ("cannot remove X") failed on `path` with `code`, and the reason is a file in use
// under `path`: the error naming that file, the one to act on.
std::optional<Error> in_use_error(const std::string& what, const std::filesystem::path& path,
                                  DWORD code) {
    if (code != ERROR_ACCESS_DENIED && code != ERROR_SHARING_VIOLATION) return std::nullopt;
    const auto busy = find_in_use(path);
    if (!busy) return std::nullopt;
    std::string message = what + ": ";
    message += *busy == path ? std::string("it") : utf8_of(*busy);
    message +=
        " is in use by another process (a program running from it, or a file it holds "
        "open); stop that program and try again";
    return Error{ErrorCode::filesystem, std::move(message)};
}

Result<void> remove_entry(const std::filesystem::path& path) {
    DWORD attributes = ::GetFileAttributesW(os_path(path).c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) {
        const DWORD code = ::GetLastError();
        if (is_missing(code)) return {};
        return os_fail("inspect", path, code);
    }
    if ((attributes & FILE_ATTRIBUTE_READONLY) != 0) {
        attributes &= ~static_cast<DWORD>(FILE_ATTRIBUTE_READONLY);
        if (!::SetFileAttributesW(os_path(path).c_str(), attributes))
            return os_fail("make removable", path);
    }
    const bool is_dir = (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    const bool is_link = (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
    if (is_dir && !is_link) {
        std::vector<std::filesystem::path> children;
        WIN32_FIND_DATAW found{};
        UniqueFindHandle find(::FindFirstFileExW(os_path(path / L"*").c_str(), FindExInfoBasic,
                                                 &found, FindExSearchNameMatch, nullptr, 0));
        if (!find.valid()) {
            const DWORD code = ::GetLastError();
            if (code != ERROR_FILE_NOT_FOUND) return os_fail("read directory", path, code);
        } else {
            do {
                const std::wstring_view name = found.cFileName;
                if (name != L"." && name != L"..") children.push_back(path / name);
            } while (::FindNextFileW(find.get(), &found));
            const DWORD code = ::GetLastError();
            if (code != ERROR_NO_MORE_FILES) return os_fail("read directory", path, code);
        }
        find.reset();
        for (const auto& child : children) DESKEXT_TRY(remove_entry(child));
    }
    // A directory link (symlink or junction) is removed with RemoveDirectoryW, which deletes the
    // link and leaves its target alone.
    const BOOL removed =
        is_dir ? ::RemoveDirectoryW(os_path(path).c_str()) : ::DeleteFileW(os_path(path).c_str());
    if (!removed) {
        const DWORD code = ::GetLastError();
        if (is_missing(code)) return {};
        if (auto busy = in_use_error("cannot remove " + utf8_of(path), path, code))
            return std::unexpected(std::move(*busy));
        return os_fail("remove", path, code);
    }
    return {};
}

Result<void> require_plain_directory(const std::filesystem::path& path) {
    const DWORD attributes = ::GetFileAttributesW(os_path(path).c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) return os_fail("exchange", path);
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0 ||
        (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
        return os_fail("exchange", path, ERROR_DIRECTORY);
    }
    return {};
}

}  // namespace

Result<std::filesystem::path> resolve_in_root(const std::filesystem::path& root,
                                              std::string_view relative) {
    if (relative.find(':') != std::string_view::npos) {
        // A drive ("C:x") or an alternate data stream ("file:stream").
        return fail(ErrorCode::invalid_extension,
                    "unsafe path \"" + std::string(relative) + "\": the path contains a ':'");
    }
    DESKEXT_TRY_ASSIGN(const std::vector<std::string_view> components,
                       detail::split_relative(relative));
    std::filesystem::path result = root;
    bool checking = true;
    for (const std::string_view component : components) {
        if (is_windows_special(component)) {
            return fail(ErrorCode::invalid_extension, "unsafe path \"" + std::string(relative) +
                                                          "\": \"" + std::string(component) +
                                                          "\" is a reserved name on Windows");
        }
        result /= path_from_utf8(component);
        if (!checking) continue;
        const DWORD attributes = ::GetFileAttributesW(os_path(result).c_str());
        if (attributes == INVALID_FILE_ATTRIBUTES) {
            const DWORD code = ::GetLastError();
            if (is_missing(code) || code == ERROR_DIRECTORY) {
                checking = false;
                continue;
            }
            return os_fail("inspect", result, code);
        }
        if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
            return fail(ErrorCode::invalid_extension,
                        "unsafe path \"" + std::string(relative) + "\": " + utf8_of(result) +
                            " is a symbolic link or junction, which could lead outside " +
                            utf8_of(root));
        }
    }
    return result;
}

Result<void> atomic_rename(const std::filesystem::path& from, const std::filesystem::path& to) {
    // POSIX rename replaces an empty directory with a directory; MoveFileExW never replaces a
    // directory (access denied). The empty one goes first: callers only ever move onto a
    // directory they just made under a random name (a staging directory).
    if (const DWORD target = ::GetFileAttributesW(os_path(to).c_str());
        target != INVALID_FILE_ATTRIBUTES && (target & FILE_ATTRIBUTE_DIRECTORY) != 0 &&
        (target & FILE_ATTRIBUTE_REPARSE_POINT) == 0 && !::RemoveDirectoryW(os_path(to).c_str())) {
        return os_fail("rename " + utf8_of(from) + " to", to);
    }
    // MOVEFILE_WRITE_THROUGH: do not return before the rename is on disk.
    if (!::MoveFileExW(os_path(from).c_str(), os_path(to).c_str(),
                       MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH)) {
        const DWORD code = ::GetLastError();
        // Windows refuses to rename a directory holding a file in use (a running host binary).
        if (auto busy =
                in_use_error("cannot rename " + utf8_of(from) + " to " + utf8_of(to), from, code))
            return std::unexpected(std::move(*busy));
        return os_fail("rename " + utf8_of(from) + " to", to, code);
    }
    return {};
}

Result<void> move_to_new_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    // Without MOVEFILE_REPLACE_EXISTING an existing `to` (a link included) fails the move.
    if (!::MoveFileExW(os_path(from).c_str(), os_path(to).c_str(), MOVEFILE_WRITE_THROUGH))
        return os_fail("create", to);
    return {};
}

Result<void> copy_to_new_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    // A reparse point (a link) at `from` is refused rather than followed.
    const DWORD attributes = ::GetFileAttributesW(os_path(from).c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) return os_fail("open", from);
    if ((attributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) != 0)
        return fail(ErrorCode::filesystem, "cannot open " + utf8_of(from) + ": not a regular file");
    // COPY_FILE_FAIL_IF_EXISTS: an existing `to` is never replaced.
    if (!::CopyFileExW(os_path(from).c_str(), os_path(to).c_str(), nullptr, nullptr, nullptr,
                       COPY_FILE_FAIL_IF_EXISTS))
        return os_fail("create", to);
    return {};
}

Result<void> link_to_new_file(const std::filesystem::path& from, const std::filesystem::path& to) {
    // A reparse point (a link) at `from` is refused rather than followed.
    const DWORD attributes = ::GetFileAttributesW(os_path(from).c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) return os_fail("open", from);
    if ((attributes & (FILE_ATTRIBUTE_REPARSE_POINT | FILE_ATTRIBUTE_DIRECTORY)) != 0)
        return fail(ErrorCode::filesystem, "cannot open " + utf8_of(from) + ": not a regular file");
    // An existing `to` fails the call; NTFS has hard links, FAT does not.
    if (!::CreateHardLinkW(os_path(to).c_str(), os_path(from).c_str(), nullptr))
        return os_fail("create", to);
    return {};
}

Result<bool> exchange_directories(const std::filesystem::path& a, const std::filesystem::path& b) {
    // Windows has no exchange of two directories in one step.
    DESKEXT_TRY(require_plain_directory(a));
    DESKEXT_TRY(require_plain_directory(b));
    DESKEXT_TRY(detail::exchange_by_renames(a, b));
    return false;
}

Result<void> fsync_path(const std::filesystem::path& path) {
    const DWORD attributes = ::GetFileAttributesW(os_path(path).c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) return os_fail("open", path);
    // NTFS journals directory metadata itself, and FlushFileBuffers cannot be given a directory
    // handle opened for writing: there is nothing to do for a directory.
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0) return {};

    // FlushFileBuffers needs write access, which a read-only file refuses; lift the attribute for
    // the duration of the flush.
    const bool read_only = (attributes & FILE_ATTRIBUTE_READONLY) != 0;
    if (read_only &&
        !::SetFileAttributesW(os_path(path).c_str(),
                              attributes & ~static_cast<DWORD>(FILE_ATTRIBUTE_READONLY))) {
        return os_fail("open", path);
    }
    UniqueHandle file(::CreateFileW(os_path(path).c_str(), GENERIC_WRITE,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                    OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
    const DWORD open_error = ::GetLastError();
    Result<void> outcome;
    if (!file.valid()) {
        outcome = os_fail("open", path, open_error);
    } else if (!::FlushFileBuffers(file.get())) {
        outcome = os_fail("flush", path);
    }
    file.reset();
    if (read_only) ::SetFileAttributesW(os_path(path).c_str(), attributes);
    return outcome;
}

Result<void> set_mode(const std::filesystem::path& path, std::uint32_t mode) {
    // Windows has no POSIX permission bits. What carries over is the owner's write bit, as the
    // read-only attribute on files (on directories that attribute means something else).
    const DWORD attributes = ::GetFileAttributesW(os_path(path).c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) return os_fail("change the mode of", path);
    if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
        return fail(ErrorCode::filesystem, "cannot change the mode of " + utf8_of(path) +
                                               ": it is a symbolic link (not followed)");
    }
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0) return {};
    const bool writable = (mode & 0200U) != 0;
    DWORD wanted = attributes & ~static_cast<DWORD>(FILE_ATTRIBUTE_READONLY);
    if (!writable) wanted |= FILE_ATTRIBUTE_READONLY;
    if (wanted != attributes && !::SetFileAttributesW(os_path(path).c_str(), wanted)) {
        return os_fail("change the mode of", path);
    }
    return {};
}

Result<bool> has_mode(const std::filesystem::path& path, std::uint32_t mode) {
    const DWORD attributes = ::GetFileAttributesW(os_path(path).c_str());
    if (attributes == INVALID_FILE_ATTRIBUTES) return os_fail("inspect", path);
    if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) return false;  // set_mode refuses links
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0) return true;
    const bool read_only = (attributes & FILE_ATTRIBUTE_READONLY) != 0;
    return read_only == ((mode & 0200U) == 0);
}

Result<std::filesystem::path> make_unique_dir(const std::filesystem::path& parent,
                                              std::string_view prefix) {
    if (prefix.find_first_of("/\\:") != std::string_view::npos) {
        return fail(ErrorCode::internal, "make_unique_dir: prefix \"" + std::string(prefix) +
                                             "\" contains a path separator");
    }
    constexpr int k_attempts = 100;
    for (int attempt = 0; attempt < k_attempts; ++attempt) {
        std::filesystem::path name = path_from_utf8(prefix);
        name += random_name();
        const std::filesystem::path candidate = parent / name;
        if (::CreateDirectoryW(os_path(candidate).c_str(), nullptr)) return candidate;
        const DWORD code = ::GetLastError();
        if (code != ERROR_ALREADY_EXISTS) return os_fail("create", candidate, code);
    }
    return os_fail("create a unique directory in", parent, ERROR_ALREADY_EXISTS);
}

Result<void> remove_tree(const std::filesystem::path& path) { return remove_entry(path); }

Result<void> create_directories(const std::filesystem::path& path) {
    // On the extended form (os_path), so that no component is limited to MAX_PATH: back from the
    // end to the first directory that exists, then forward creating each missing one.
    const std::wstring full = os_path(path).native();
    const auto is_directory = [](const std::wstring& dir) {
        const DWORD attributes = ::GetFileAttributesW(dir.c_str());
        return attributes != INVALID_FILE_ATTRIBUTES &&
               (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    };
    std::size_t end = full.size();
    while (end > 0 && full[end - 1] == L'\\') --end;  // a trailing separator
    std::vector<std::size_t> missing;  // ends of the components to create, last first
    for (;;) {
        const std::wstring dir = full.substr(0, end);
        const DWORD attributes = ::GetFileAttributesW(dir.c_str());
        if (attributes != INVALID_FILE_ATTRIBUTES) {
            if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0)
                return os_fail("create", path, ERROR_DIRECTORY);
            break;
        }
        const DWORD code = ::GetLastError();
        if (!is_missing(code)) return os_fail("create", path, code);
        missing.push_back(end);
        const std::size_t separator = full.rfind(L'\\', end - 1);
        // Nothing exists up to the root ("\\?\X:\", "\\?\UNC\server\share"): the creation
        // below fails, naming the path.
        if (separator == std::wstring::npos || separator <= 6) break;
        end = separator;
    }
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        const std::wstring dir = full.substr(0, *it);
        if (!::CreateDirectoryW(dir.c_str(), nullptr)) {
            const DWORD code = ::GetLastError();
            // Made meanwhile by someone else: fine when it is a directory.
            if (code != ERROR_ALREADY_EXISTS || !is_directory(dir))
                return os_fail("create", path, code);
        }
    }
    return {};
}

Result<void> write_file(const std::filesystem::path& path, std::string_view data) {
    // CREATE_ALWAYS would write through a symlink; refuse one, as O_NOFOLLOW does on POSIX.
    const DWORD attributes = ::GetFileAttributesW(os_path(path).c_str());
    if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
        return os_fail("create", path, ERROR_CANT_ACCESS_FILE);
    }
    UniqueHandle file(::CreateFileW(os_path(path).c_str(), GENERIC_WRITE, FILE_SHARE_READ, nullptr,
                                    CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!file.valid()) return os_fail("create", path);
    const char* next = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        constexpr std::size_t k_chunk = 1U << 30;  // WriteFile takes a DWORD count
        const auto want = static_cast<DWORD>(left < k_chunk ? left : k_chunk);
        DWORD written = 0;
        if (!::WriteFile(file.get(), next, want, &written, nullptr)) return os_fail("write", path);
        next += written;
        left -= written;
    }
    return {};
}

}  // namespace deskext::platform
