#include <fmt/format.h>

#include "deskext/install/extension_name.hpp"
#include "deskext/install/installer.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"
#include "install/crash_point.hpp"
#include "install/installed_directory.hpp"
#include "install/staging_dir.hpp"

namespace deskext {

Result<InstallState> uninstall_extension(const std::filesystem::path& root, std::string_view name,
                                         EventSink& events, platform::LockWait wait) {
    DESKEXT_TRY_ASSIGN(auto wanted, extension_dir_name(name));
    events.emit("started", {{"command", "uninstall"}, {"name", wanted}});
    std::error_code exists_ec;
    if (!std::filesystem::exists(root, exists_ec))
        return fail(ErrorCode::not_found, fmt::format("no extension {} is installed in {}",
                                                      wanted, platform::utf8_of(root)));
    DESKEXT_TRY_ASSIGN(auto installed, lock_installed(root, wanted, platform::LockMode::exclusive,
                                                      wait, events));
    crash_point("uninstall-locked");
    const std::string& dir_name = installed.name;
    const auto target = root / dir_name;

    std::error_code ec;
    auto status = std::filesystem::symlink_status(target, ec);
    if (status.type() == std::filesystem::file_type::not_found) {
        return fail(ErrorCode::not_found, fmt::format("no extension {} is installed in {}",
                                                      dir_name, platform::utf8_of(root)));
    }
    // Never follow a link out of the root: a symlink in place of the directory is not ours.
    if (status.type() != std::filesystem::file_type::directory)
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} is not a directory (a symbolic link?); refusing to remove it",
                                platform::utf8_of(target)));
    DESKEXT_TRY_ASSIGN(auto state, read_state(target));

    // Rename first, then delete: a crash in between leaves a staging directory the next run
    // removes, never a half-deleted extension under its real name.
    DESKEXT_TRY_ASSIGN(auto trash, StagingDir::create(root, dir_name));
    DESKEXT_TRY(platform::atomic_rename(target, trash.path()));
    DESKEXT_TRY(platform::fsync_path(root));
    crash_point("uninstall-renamed");
    // The extension is gone from its name: a file that cannot be removed yet (Windows: a host
    // binary still running) stays in the staging directory, which a later run's cleanup removes.
    if (auto removed = platform::remove_tree(trash.path()); !removed) {
        events.emit(
            "warning",
            {{"message", fmt::format("{} stays in {} until a later run removes it: {}", dir_name,
                                     platform::utf8_of(trash.path()), removed.error().message)}});
    }
    trash.release();
    crash_point("uninstall-removed");
    events.emit("removed", {{"name", dir_name}, {"directory", platform::utf8_of(target)}});
    return state;
}

}  // namespace deskext
