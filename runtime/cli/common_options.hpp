#pragma once
// Options several commands share: --root, --platform, the registry options.

#include <filesystem>
#include <vector>

#include "args.hpp"
#include "deskext/platform/file_lock.hpp"
#include "deskext/platform/platform.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::cli {

// --root, else $DESKEXT_ROOT, else the OS default.
[[nodiscard]] Result<std::filesystem::path> root_option(const Args& args);

// --platform (the host to act for), else the detected host. Only darwin, windows and linux
// hosts run Docker Desktop.
[[nodiscard]] Result<platform::Platform> platform_option(const Args& args);

// Every --platform given (repeatable), each checked as platform_option does; none when absent.
[[nodiscard]] Result<std::vector<platform::Platform>> platforms_option(const Args& args);

// How a command that reads a SOURCE reaches registries: --insecure-registry HOST[:PORT]...,
// --registries-conf FILE and --timeout SECONDS (every command taking a SOURCE accepts them:
// install, update, inspect, validate, export).
[[nodiscard]] Result<SourceOptions> source_options(const Args& args);

// A size or count with an optional binary suffix: "512M", "2G", "1M" (K, M, G, T). Usage error
// otherwise, naming `what` (the option, "--max-entries", or the variable, "DESKEXT_CACHE_MAX").
[[nodiscard]] Result<std::int64_t> parse_size(std::string_view what, const std::string& text);

// --wait[=SECONDS] for a lock another deskext holds: absent → fail at once (busy, exit 10),
// bare → wait forever, SECONDS → wait that long.
[[nodiscard]] Result<platform::LockWait> wait_option(const Args& args);

}  // namespace deskext::cli
