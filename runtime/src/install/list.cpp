#include <algorithm>

#include <fmt/format.h>

#include "deskext/install/installer.hpp"
#include "deskext/platform/directory.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext {

Result<std::vector<ListedExtension>> list_extensions(const std::filesystem::path& root) {
    std::vector<ListedExtension> out;
    std::error_code ec;
    if (!std::filesystem::exists(root, ec)) return out;
    DESKEXT_TRY_ASSIGN(const auto entries, platform::list_directory(root));
    for (const auto& entry : entries) {
        auto name = platform::utf8_of(entry.name);
        if (name.starts_with('.')) continue;  // staging, trash and other private entries
        if (entry.type != platform::EntryType::directory) continue;  // links included
        ListedExtension listed{name, std::nullopt, {}};
        if (auto state = read_state(root / entry.name))
            listed.state = std::move(*state);
        else
            listed.problem = state.error().message;
        out.push_back(std::move(listed));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

}  // namespace deskext
