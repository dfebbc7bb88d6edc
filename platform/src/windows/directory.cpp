// list_directory on Windows: FindFirstFileExW on the extended-length path (os_path), so that
// directories beyond MAX_PATH are listed too.

#include <windows.h>

#include <string_view>

#include "../windows/os_error.hpp"
#include "../windows/unique_handle.hpp"
#include "deskext/platform/directory.hpp"
#include "deskext/platform/fs.hpp"

namespace deskext::platform {

Result<std::vector<DirectoryEntry>> list_directory(const std::filesystem::path& dir) {
    std::vector<DirectoryEntry> entries;
    WIN32_FIND_DATAW found{};
    detail::UniqueFindHandle find(::FindFirstFileExW(os_path(dir / L"*").c_str(), FindExInfoBasic,
                                                     &found, FindExSearchNameMatch, nullptr, 0));
    if (!find.valid()) {
        const DWORD code = ::GetLastError();
        if (code == ERROR_FILE_NOT_FOUND) return entries;  // not even "." (a drive's root)
        return detail::os_fail("list", dir, code);
    }
    do {
        const std::wstring_view name = found.cFileName;
        if (name == L"." || name == L"..") continue;
        DirectoryEntry entry{std::filesystem::path(name), EntryType::file};
        const DWORD attributes = found.dwFileAttributes;
        if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0)
            entry.type = EntryType::symlink;
        else if ((attributes & FILE_ATTRIBUTE_DIRECTORY) != 0)
            entry.type = EntryType::directory;
        else if ((attributes & FILE_ATTRIBUTE_DEVICE) != 0)
            entry.type = EntryType::other;
        entries.push_back(std::move(entry));
    } while (::FindNextFileW(find.get(), &found));
    const DWORD code = ::GetLastError();
    if (code != ERROR_NO_MORE_FILES) return detail::os_fail("list", dir, code);
    return entries;
}

}  // namespace deskext::platform
