#include <algorithm>

#include <fmt/format.h>

#include "deskext/install/installer.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext {

Result<std::vector<ListedExtension>> list_extensions(const std::filesystem::path& root) {
    std::vector<ListedExtension> out;
    std::error_code ec;
    if (!std::filesystem::exists(root, ec)) return out;
    std::filesystem::directory_iterator it(root, ec);
    if (ec)
        return fail(ErrorCode::filesystem,
                    fmt::format("cannot list {}: {}", platform::utf8_of(root), ec.message()));
    for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
        if (ec)
            return fail(ErrorCode::filesystem,
                        fmt::format("cannot list {}: {}", platform::utf8_of(root), ec.message()));
        auto name = platform::utf8_of(it->path().filename());
        if (name.starts_with('.')) continue;  // staging, trash and other private entries
        if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
        ListedExtension listed{name, std::nullopt, {}};
        if (auto state = read_state(it->path()))
            listed.state = std::move(*state);
        else
            listed.problem = state.error().message;
        out.push_back(std::move(listed));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return out;
}

}  // namespace deskext
