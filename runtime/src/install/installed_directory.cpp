#include "install/installed_directory.hpp"

#include <optional>
#include <vector>

#include <fmt/format.h>

#include "deskext/install/extension_name.hpp"
#include "deskext/install/state.hpp"
#include "deskext/platform/directory.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext {
namespace {

// Whether `entry` is where deskext installed the extension `wanted` before: only a name that
// ends in "_<wanted>" can be (a host, or "library", was kept in front), and its record says so.
bool former_directory_of(const std::filesystem::path& root, const std::string& entry,
                         std::string_view wanted) {
    const std::string suffix = "_" + std::string(wanted);
    if (!entry.ends_with(suffix)) return false;
    auto state = read_state(root / platform::path_from_utf8(entry));
    if (!state || state->image.empty()) return false;
    auto today = extension_dir_name(state->image);
    return today && *today == wanted && former_extension_dir_name(state->image) == entry;
}

Result<std::optional<std::string>> find_former_directory(const std::filesystem::path& root,
                                                         std::string_view wanted) {
    DESKEXT_TRY_ASSIGN(const auto entries, platform::list_directory(root));
    std::vector<std::string> found;
    for (const auto& entry : entries) {
        const auto name = platform::utf8_of(entry.name);
        if (name.starts_with('.') || entry.type != platform::EntryType::directory) continue;
        if (former_directory_of(root, name, wanted)) found.push_back(name);
    }
    if (found.empty()) return std::nullopt;
    if (found.size() > 1)
        return fail(ErrorCode::usage,
                    fmt::format("{} is installed twice in {}, as {} and {}: name the one meant by "
                                "its directory, or uninstall one of them",
                                wanted, platform::utf8_of(root), found[0], found[1]));
    return found.front();
}

}  // namespace

Result<InstalledDirectory> lock_installed(const std::filesystem::path& root,
                                          std::string_view wanted, platform::LockMode mode,
                                          platform::LockWait wait, EventSink& events,
                                          bool read_only) {
    DESKEXT_TRY_ASSIGN(auto locks,
                       ExtensionLocks::take(root, wanted, mode, wait, events, read_only));
    InstalledDirectory out{std::string(wanted), std::move(locks)};
    std::error_code ec;
    const auto status =
        std::filesystem::symlink_status(root / platform::path_from_utf8(out.name), ec);
    if (status.type() != std::filesystem::file_type::not_found) return out;
    if (!std::filesystem::is_directory(root, ec)) return out;
    // Found under `wanted`'s lock: nobody moves it to `wanted` meanwhile (an install takes that
    // lock first too).
    DESKEXT_TRY_ASSIGN(auto former, find_former_directory(root, wanted));
    if (!former) return out;
    DESKEXT_TRY(out.locks.take_also(root, *former, mode, wait, read_only));
    out.name = std::move(*former);
    return out;
}

}  // namespace deskext
