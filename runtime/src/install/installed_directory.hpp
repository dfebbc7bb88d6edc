#pragma once
// Which directory of a root an extension is installed in, with its locks held: the directory of
// its identity, or, for an extension installed before identities dropped the registry host, the
// one deskext named it then (127.0.0.1_5000_acme_ext for acme/ext; docs/cli.md, "Extension
// identity"). An install or update moves such an extension to its identity's directory; until
// then every command finds it where it is.

#include <filesystem>
#include <string>
#include <string_view>

#include "deskext/events/event_sink.hpp"
#include "deskext/platform/file_lock.hpp"
#include "install/locks.hpp"

namespace deskext {

struct InstalledDirectory {
    // Where the extension is now: `wanted`, or its former directory; `wanted` when it is not
    // installed at all.
    std::string name;
    ExtensionLocks locks;  // `wanted`'s, and the former directory's when it is there
};

// Takes `wanted`'s locks (ExtensionLocks::take); when <root>/<wanted> does not exist, looks for
// the extension under a former name and takes that name's lock as well. A directory is the
// extension's former one when its state record names an image whose directory is `wanted` today
// and was that directory's name then. Two such directories: ErrorCode::usage naming both.
[[nodiscard]] Result<InstalledDirectory> lock_installed(const std::filesystem::path& root,
                                                        std::string_view wanted,
                                                        platform::LockMode mode,
                                                        platform::LockWait wait, EventSink& events,
                                                        bool read_only = false);

}  // namespace deskext
