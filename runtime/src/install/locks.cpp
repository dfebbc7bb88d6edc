#include "install/locks.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "deskext/platform/directory.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"
#include "install/cleanup.hpp"

namespace deskext {
namespace {

using platform::FileLock;
using platform::LockMode;
using platform::LockWait;

// The root lock is held exclusively only by a cleanup, which takes milliseconds: waiting this
// long for it is never a surprise, and two commands started together do not fail.
constexpr std::chrono::milliseconds root_grace{10'000};

LockWait root_wait(LockWait wait) {
    if (!wait) return wait;
    return std::max(*wait, root_grace);
}

Error busy(const std::filesystem::path& root, std::string_view name,
           const std::filesystem::path& lock) {
    return Error{ErrorCode::busy,
                 fmt::format("another deskext is working on {} in {} (it holds {}); try again "
                             "when it is done, or pass --wait",
                             name, platform::utf8_of(root), platform::utf8_of(lock))};
}

}  // namespace

std::filesystem::path extension_lock_path(const std::filesystem::path& root,
                                          std::string_view name) {
    return root / locks_dir_name / (std::string(name) + ".lock");
}

Result<ExtensionLocks> ExtensionLocks::take(const std::filesystem::path& root,
                                            std::string_view name, LockMode mode, LockWait wait,
                                            EventSink& events, bool read_only) {
    ExtensionLocks locks;
    const auto dir = root / locks_dir_name;
    const auto root_file = dir / root_lock_name;
    if (auto made = platform::create_directories(dir); !made) {
        if (read_only) return locks;  // a root nobody can write cannot change under us
        return std::unexpected(std::move(made).error());
    }

    // Exclusive at once when nobody else is here: then whatever staging directory exists belongs
    // to a dead run and is removed. Otherwise someone is running; the cleanup waits for later.
    auto exclusive = FileLock::acquire(root_file, LockMode::exclusive, platform::no_wait);
    if (!exclusive && exclusive.error().code != ErrorCode::busy) {
        if (read_only) return locks;
        return std::unexpected(std::move(exclusive).error());
    }
    if (exclusive) {
        (void)cleanup_root(root, events);
        exclusive->release();
    }
    auto shared = FileLock::acquire(root_file, LockMode::shared, root_wait(wait));
    if (!shared) {
        if (shared.error().code == ErrorCode::busy)
            return std::unexpected(busy(root, name, root_file));
        return std::unexpected(std::move(shared).error());
    }
    locks.m_root = std::move(*shared);

    const auto file = extension_lock_path(root, name);
    auto held = FileLock::acquire(file, mode, wait);
    if (!held) {
        if (held.error().code == ErrorCode::busy) return std::unexpected(busy(root, name, file));
        if (read_only) return locks;
        return std::unexpected(std::move(held).error());
    }
    locks.m_extension = std::move(*held);
    return locks;
}

Result<void> ExtensionLocks::take_also(const std::filesystem::path& root, std::string_view name,
                                       LockMode mode, LockWait wait, bool read_only) {
    if (!m_root.held()) return {};  // a read-only root read without locks (take)
    const auto file = extension_lock_path(root, name);
    auto held = FileLock::acquire(file, mode, wait);
    if (!held) {
        if (held.error().code == ErrorCode::busy) return std::unexpected(busy(root, name, file));
        if (read_only) return {};
        return std::unexpected(std::move(held).error());
    }
    m_former = std::move(*held);
    return {};
}

ExtensionLocks::~ExtensionLocks() {
    if (!m_root.held()) return;
    const auto root_file = m_root.path();
    m_former.release();
    m_extension.release();
    m_root.release();
    // Best effort throughout: whatever is left is removed by the next run's cleanup.
    auto alone = FileLock::acquire(root_file, LockMode::exclusive, platform::no_wait);
    if (!alone) return;
    const auto dir = root_file.parent_path();
    std::error_code ec;
    auto entries = platform::list_directory(dir);
    for (const auto& entry : entries ? *entries : std::vector<platform::DirectoryEntry>{}) {
        const auto path = dir / entry.name;
        if (path == root_file) continue;
        // Nobody holds these (they are only taken under the root lock), but a process that
        // opened one just before must find it gone and lock a new one: FileLock::acquire does.
        if (auto lock = FileLock::acquire(path, LockMode::exclusive, platform::no_wait))
            (void)lock->remove_and_release();
    }
    (void)alone->remove_and_release();
    std::filesystem::remove(dir, ec);  // only when empty; someone may be starting
}

}  // namespace deskext
