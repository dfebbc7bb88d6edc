#include "install/cleanup.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "deskext/platform/directory.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"
#include "install/locks.hpp"

namespace deskext {
namespace {

// The entries of `dir`; none when it cannot be read (a missing directory: nothing to clean).
std::vector<platform::DirectoryEntry> entries_of(const std::filesystem::path& dir) {
    auto entries = platform::list_directory(dir);
    return entries ? std::move(*entries) : std::vector<platform::DirectoryEntry>{};
}

// ".<name>.staging-<random>" (StagingDir).
bool is_staging_name(std::string_view name) {
    return name.starts_with('.') && name.find(".staging-") != std::string_view::npos;
}

// An extension parked by a swap that was cut short (platform::recover_parked): put back when the
// extension's own directory is missing, removed when the new version is in place.
void recover_parked(const std::filesystem::path& root, CleanupReport& report) {
    std::vector<std::filesystem::path> parked;
    for (const auto& entry : entries_of(root)) {
        if (platform::parked_original(entry.name.string())) parked.push_back(root / entry.name);
    }
    for (const auto& path : parked) {
        auto recovered = platform::recover_parked(path);
        if (!recovered)
            report.failures.push_back(recovered.error().message);
        else if (*recovered)
            report.restored.push_back(
                (root / *platform::parked_original(path.filename().string())).string());
        else
            report.staging.push_back(path.string());
    }
}

void remove_staging(const std::filesystem::path& root, CleanupReport& report) {
    for (const auto& entry : entries_of(root)) {
        if (!is_staging_name(platform::utf8_of(entry.name))) continue;
        const auto path = root / entry.name;
        if (auto removed = platform::remove_tree(path); removed)
            report.staging.push_back(platform::utf8_of(path));
        else
            report.failures.push_back(removed.error().message);
    }
}

// Lock files: every run that ends alone in the root removes them all (~ExtensionLocks), so one
// found here, with the root lock held exclusively, was left by a killed run.
void remove_stale_locks(const std::filesystem::path& root, CleanupReport& report) {
    const auto dir = root / locks_dir_name;
    for (const auto& entry : entries_of(dir)) {
        const auto file = platform::utf8_of(entry.name);
        if (file == root_lock_name) continue;
        const auto path = dir / entry.name;
        // Taken first, so that a process that had just opened it finds it gone and locks a new
        // one (FileLock::acquire).
        auto lock =
            platform::FileLock::acquire(path, platform::LockMode::exclusive, platform::no_wait);
        if (!lock) continue;
        if (auto removed = lock->remove_and_release(); removed)
            report.lock_files.push_back(platform::utf8_of(path));
        else
            report.failures.push_back(removed.error().message);
    }
}

}  // namespace

CleanupReport cleanup_root(const std::filesystem::path& root, EventSink& events) {
    CleanupReport report;
    recover_parked(root, report);
    remove_staging(root, report);
    remove_stale_locks(root, report);
    std::sort(report.staging.begin(), report.staging.end());
    std::sort(report.lock_files.begin(), report.lock_files.end());
    if (!report.staging.empty() || !report.lock_files.empty()) {
        events.emit("cleanup",
                    {{"root", platform::utf8_of(root)},
                     {"staging", report.staging},
                     {"lock_files", report.lock_files},
                     {"message", fmt::format("removed what an interrupted deskext run left in {}: "
                                             "{} staging director{}, {} stale lock file{}",
                                             platform::utf8_of(root), report.staging.size(),
                                             report.staging.size() == 1 ? "y" : "ies",
                                             report.lock_files.size(),
                                             report.lock_files.size() == 1 ? "" : "s")}});
    }
    for (const auto& restored : report.restored)
        events.emit("warning", {{"message", fmt::format("restored {}: an update cut short had "
                                                        "moved it aside",
                                                        restored)}});
    for (const auto& failure : report.failures)
        events.emit("warning",
                    {{"message", fmt::format("cleanup: {}; the next run tries again", failure)}});
    return report;
}

}  // namespace deskext
