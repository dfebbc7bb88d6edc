#pragma once
// Shared by inspect and validate: the host files a plan installs, with the format their headers
// show, read from the image without extracting anything.

#include <map>
#include <string>
#include <vector>

#include "deskext/extension/metadata.hpp"
#include "deskext/install/install_plan.hpp"
#include "deskext/layer/image_tree.hpp"
#include "deskext/qa/inspect.hpp"

namespace deskext::qa::detail {

// The image path each installed host file comes from, for one OS: a declared binary's own path,
// or below a declared directory ("host/lib/x.dll" → "windows/lib/x.dll").
class DeclaredPaths {
public:
    DeclaredPaths(const extension::Metadata& metadata, std::string_view os);
    // "" when `dest` is not one of the declared binaries or inside one.
    [[nodiscard]] std::string image_path_of(const std::string& dest) const;

private:
    std::map<std::string, std::string, std::less<>> m_declared;  // host/<dest> → image path
};

// The entries whose heads are needed for the host files of `plan`.
[[nodiscard]] std::vector<layer::EntryRef> host_file_entries(const InstallPlan& plan);

// Every file of `plan` under host/, classified against `expected` (host OS, variant arch), from
// the heads read by layer::read_entry_heads. `metadata` and `os` give back the image path each
// destination was declared from.
[[nodiscard]] std::vector<InspectedBinary> classify_host_files(
    const InstallPlan& plan, const extension::Metadata& metadata, std::string_view os,
    const std::map<layer::EntryRef, std::string>& heads, const platform::Platform& expected);

}  // namespace deskext::qa::detail
