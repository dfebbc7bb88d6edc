#include "deskext/install/verify.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "deskext/extension/metadata.hpp"
#include "deskext/install/extension_name.hpp"
#include "deskext/io/reader.hpp"
#include "deskext/platform/directory.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"
#include "install/file_hash.hpp"
#include "install/installed_directory.hpp"
#include "parallel/for_each_index.hpp"

namespace deskext {
namespace {

namespace fs = std::filesystem;

std::uint32_t permission_bits(fs::perms perms) {
    return static_cast<std::uint32_t>(perms) & 07777u;
}

// One recorded file against what is on disk; no drift → nullopt. Without `hash`, the content
// is taken as known (its hash was just taken from this very file) and only the size compared.
Result<std::optional<Drift>> check_file(const fs::path& dir, const InstalledFile& file, bool hash) {
    const auto path = dir / platform::path_from_utf8(file.path);
    std::error_code ec;
    const auto status = fs::symlink_status(path, ec);
    if (status.type() == fs::file_type::not_found) return Drift{file.path, "missing", "not found"};
    if (ec)
        return fail(ErrorCode::filesystem,
                    fmt::format("cannot inspect {}: {}", platform::utf8_of(path), ec.message()));
    if (status.type() != fs::file_type::regular)
        return Drift{file.path, "changed", "not a regular file any more"};
    if (hash) {
        DESKEXT_TRY_ASSIGN(auto hashed, hash_file(path));
        if (hashed.size != file.size || hashed.digest.hex() != file.sha256)
            return Drift{file.path, "changed",
                         fmt::format("sha256 {} ({} bytes), recorded {} ({} bytes)",
                                     hashed.digest.hex(), hashed.size, file.sha256, file.size)};
    } else if (const auto size = fs::file_size(path, ec);
               ec || static_cast<std::int64_t>(size) != file.size) {
        return Drift{file.path, "changed",
                     fmt::format("{} bytes, recorded {}", ec ? 0 : size, file.size)};
    }
    DESKEXT_TRY_ASSIGN(const bool same_mode, platform::has_mode(path, file.mode));
    if (!same_mode)
        return Drift{file.path, "mode",
                     fmt::format("mode {:04o}, recorded {:04o}",
                                 permission_bits(status.permissions()), file.mode)};
    return std::optional<Drift>{};
}

// check_file for every recorded file (hashing those not in `known`), spread over up to four
// threads; results in the order of `files`.
std::vector<Result<std::optional<Drift>>> check_files(const fs::path& dir,
                                                      const std::vector<InstalledFile>& files,
                                                      const std::set<std::string>& known) {
    std::vector<Result<std::optional<Drift>>> results(files.size());
    parallel::for_each_index(files.size(), 4, [&](std::size_t i) {
        results[i] = check_file(dir, files[i], !known.contains(files[i].path));
    });
    return results;
}

Result<std::vector<Drift>> compare(const fs::path& dir, const InstallState& state,
                                   const std::set<std::string>& known) {
    std::vector<Drift> drift;
    std::map<std::string, bool, std::less<>> recorded;
    for (const auto& file : state.files) recorded.emplace(file.path, true);
    for (auto& found : check_files(dir, state.files, known)) {
        if (!found) return std::unexpected(std::move(found).error());
        if (*found) drift.push_back(std::move(**found));
    }
    // Everything else that is not a directory, walked without following links: a link is
    // reported as itself.
    std::vector<std::pair<fs::path, std::string>> pending{{dir, ""}};  // directory, its prefix
    while (!pending.empty()) {
        auto [current, prefix] = std::move(pending.back());
        pending.pop_back();
        DESKEXT_TRY_ASSIGN(const auto entries, platform::list_directory(current));
        for (const auto& entry : entries) {
            const auto rel = prefix + platform::generic_utf8_of(entry.name);
            if (rel == state_dir_name) continue;
            if (entry.type == platform::EntryType::symlink) {
                if (!recorded.contains(rel))
                    drift.push_back({rel, "extra", "a symbolic link deskext did not install"});
                continue;
            }
            if (entry.type == platform::EntryType::directory) {
                pending.emplace_back(current / entry.name, rel + "/");
                continue;
            }
            if (recorded.contains(rel)) continue;
            drift.push_back({rel, "extra", "a file deskext did not install"});
        }
    }
    std::sort(drift.begin(), drift.end(),
              [](const Drift& a, const Drift& b) { return a.path < b.path; });
    return drift;
}

}  // namespace

Result<std::vector<Drift>> compare_with_state(const fs::path& dir, const InstallState& state) {
    return compare(dir, state, {});
}

Result<void> check_staged(const fs::path& stage, const InstallState& state, const Limits& limits,
                          const std::set<std::string>& hashed_from_stage) {
    auto incomplete = [&](const std::string& what) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("the staged version of {} is incomplete ({}): {}; the installed "
                                "version is left as it was",
                                state.name, platform::utf8_of(stage), what));
    };
    const auto metadata_file = stage / "metadata.json";
    DESKEXT_TRY_ASSIGN(auto reader, open_file_reader(metadata_file));
    DESKEXT_TRY_ASSIGN(auto text, read_all(*reader, limits.max_metadata_bytes));
    auto metadata = extension::parse_metadata(text, limits);
    if (!metadata) return incomplete("metadata.json: " + metadata.error().message);

    std::error_code ec;
    if (!metadata->icon || !fs::is_regular_file(fs::symlink_status(
                               stage / platform::path_from_utf8(*metadata->icon), ec)))
        return incomplete(fmt::format("no icon {}", metadata->icon.value_or("(none declared)")));
    if (metadata->dashboard_tab) {
        const auto ui =
            stage / "ui" / platform::path_from_utf8(metadata->dashboard_tab->root).filename();
        if (!fs::is_directory(fs::symlink_status(ui, ec)))
            return incomplete(fmt::format("no UI root {}",
                                          platform::generic_utf8_of(ui.lexically_relative(stage))));
    }
    for (const auto& binary : state.binaries) {
        const auto kind = fs::symlink_status(stage / platform::path_from_utf8(binary), ec).type();
        if (kind != fs::file_type::regular && kind != fs::file_type::directory)
            return incomplete(fmt::format("declared binary {} is missing", binary));
    }
    DESKEXT_TRY_ASSIGN(auto drift, compare(stage, state, hashed_from_stage));
    if (!drift.empty())
        return incomplete(fmt::format("{} {} ({})", drift.front().path, drift.front().problem,
                                      drift.front().detail));
    return {};
}

Result<VerifyReport> verify_extension(const fs::path& root, std::string_view name,
                                      platform::LockWait wait, EventSink& events) {
    DESKEXT_TRY_ASSIGN(auto wanted, extension_dir_name(name));
    DESKEXT_TRY_ASSIGN(auto installed, lock_installed(root, wanted, platform::LockMode::shared,
                                                      wait, events, true));
    const std::string& dir_name = installed.name;
    const auto dir = root / dir_name;
    std::error_code ec;
    const auto status = fs::symlink_status(dir, ec);
    if (status.type() == fs::file_type::not_found)
        return fail(ErrorCode::not_found, fmt::format("no extension {} is installed in {}",
                                                      dir_name, platform::utf8_of(root)));
    if (status.type() != fs::file_type::directory)
        return fail(
            ErrorCode::invalid_extension,
            fmt::format("{} is not a directory (a symbolic link?)", platform::utf8_of(dir)));
    DESKEXT_TRY_ASSIGN(auto state, read_state(dir));
    DESKEXT_TRY_ASSIGN(auto drift, compare_with_state(dir, state));
    return VerifyReport{std::move(state), dir, std::move(drift)};
}

}  // namespace deskext
