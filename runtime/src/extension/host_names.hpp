#pragma once
// How the host's file system reads a name: which names Windows cannot hold, and which names
// land on one file because the file system ignores case (private to runtime/src).

#include <string>
#include <string_view>

namespace deskext::extension {

// Why Windows cannot hold `name` as a file or directory name, or "" when it can.
[[nodiscard]] std::string windows_name_problem(std::string_view name);

// The name as the default file system of `os` ("darwin", "windows", "linux") compares it:
// NTFS and APFS ignore case, so "Kubectl" and "kubectl" would land on one file there.
[[nodiscard]] std::string name_key(std::string_view name, std::string_view os);

}  // namespace deskext::extension
