#include "deskext/install/installer.hpp"

#include <algorithm>
#include <future>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "deskext/build_info.hpp"
#include "deskext/extension/api_version.hpp"
#include "deskext/extension/metadata.hpp"
#include "deskext/install/extension_name.hpp"
#include "deskext/install/install_plan.hpp"
#include "deskext/install/resolve_image.hpp"
#include "deskext/install/verify.hpp"
#include "deskext/layer/layer_scan.hpp"
#include "deskext/layer/single_pass.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"
#include "install/binary_checks.hpp"
#include "install/crash_point.hpp"
#include "install/file_hash.hpp"
#include "install/locks.hpp"
#include "install/needed_paths.hpp"
#include "install/progress_throttle.hpp"
#include "install/staging_dir.hpp"
#include "parallel/for_each_index.hpp"

namespace deskext {
namespace {

constexpr std::string_view metadata_path = "metadata.json";

Result<std::string> choose_name(const ImageSource& source, const InstallOptions& options) {
    if (options.name) return extension_dir_name(*options.name);
    if (auto image = source.image_name()) return extension_dir_name(*image);
    return fail(ErrorCode::usage,
                fmt::format("{} carries no image name to name the extension after; pass --name",
                            source.describe()));
}

// The version people know the extension by: the tag, else the OCI version label.
std::string version_of(const ImageSource& source, const oci::ImageConfig& config) {
    if (auto image = source.image_name(); image && !image_tag(*image).empty())
        return image_tag(*image);
    auto label = config.labels.find("org.opencontainers.image.version");
    return label == config.labels.end() ? std::string() : label->second;
}

// The files of the installed version, by origin (layer digest, entry): a planned file of the
// same origin has the same bytes, so it can be copied instead of read from its layer.
using Origins = std::map<std::pair<std::string, std::size_t>, const InstalledFile*>;

Origins origins_of(const InstallState* previous) {
    Origins origins;
    if (previous == nullptr) return origins;
    for (const auto& file : previous->files)
        if (!file.origin_layer.empty())
            origins.emplace(std::pair{file.origin_layer, file.origin_entry}, &file);
    return origins;
}

// Gives the placement's destination the content of `file` of the installed version in
// `previous_dir` and checks it against its record; nullopt (and nothing left behind) when it is
// missing, altered or cannot be copied: the layer is read for it then. A file of the mode
// planned is hard-linked: nothing is written (the installed version, removed after the swap,
// only loses a name, and neither name is written to or has its mode changed before that);
// another mode, or a file system without hard links, gets a copy.
std::optional<FileHash> copy_installed(const std::filesystem::path& previous_dir,
                                       const InstalledFile& file, const layer::Placement& to) {
    auto from = platform::resolve_in_root(previous_dir, file.path);
    if (!from) return std::nullopt;
    const auto same_mode = platform::has_mode(*from, to.mode);
    auto copied = platform::create_directories(to.to.parent_path());
    if (copied && (!same_mode.value_or(false) || !platform::link_to_new_file(*from, to.to)))
        copied = platform::copy_to_new_file(*from, to.to);
    std::optional<FileHash> hashed;
    if (copied) {
        if (auto got = hash_file(to.to);
            got && got->digest.hex() == file.sha256 && got->size == file.size)
            hashed = std::move(*got);
    }
    if (!hashed) {
        std::error_code ec;
        std::filesystem::remove(to.to, ec);
    }
    return hashed;
}

// What stage_files staged: the state record's files, and those of them (paths as recorded)
// whose hash was taken by reading the staged file once complete, which the check before the
// swap need not hash again.
struct StagedFiles {
    std::vector<InstalledFile> files;
    std::set<std::string> hashed_from_stage;
};

// Writes everything the plan names into the staging directory and records it: the files the
// single pass wrote out are moved in, those the installed version holds from the same layer
// entry are copied from it, the rest read from their layers.
Result<StagedFiles> stage_files(ImageSource& source, const ResolvedImage& image,
                                const InstallPlan& plan, const std::string& metadata_text,
                                const std::map<layer::EntryRef, layer::Candidate>& candidates,
                                const InstallState* previous,
                                const std::filesystem::path& previous_dir,
                                const std::filesystem::path& stage, const Limits& limits,
                                EventSink& events) {
    for (const auto& dir : plan.directories)
        DESKEXT_TRY(platform::create_directories(stage / platform::path_from_utf8(dir)));
    const auto& layers = image.manifest.layers;

    std::vector<layer::Placement> placements;
    placements.reserve(plan.files.size());
    for (const auto& file : plan.files)
        placements.push_back({file.from, stage / platform::path_from_utf8(file.dest), file.mode});
    DESKEXT_TRY_ASSIGN(auto placed, layer::place_candidates(candidates, placements));

    const auto origins = origins_of(previous);
    // What is known of the files written so far: hashed as they were written, or as they were
    // copied from the installed version.
    auto checked = std::move(placed.hashes);
    std::vector<const InstalledFile*> installed(placed.rest.size(), nullptr);
    for (std::size_t i = 0; i < placed.rest.size(); ++i) {
        const auto& from = placed.rest[i].from;
        if (auto origin = origins.find({layers.at(from.layer).digest.str(), from.ordinal});
            origin != origins.end())
            installed[i] = origin->second;
    }
    // Taking a file from the installed version is mostly hashing it: on several threads.
    std::vector<std::optional<FileHash>> taken(placed.rest.size());
    parallel::for_each_index(placed.rest.size(), 4, [&](std::size_t i) {
        if (installed[i] != nullptr)
            taken[i] = copy_installed(previous_dir, *installed[i], placed.rest[i]);
    });
    std::vector<layer::Placement> unread;
    std::set<std::filesystem::path> from_stage;  // of `checked`, those hashed from the stage
    for (std::size_t i = 0; i < placed.rest.size(); ++i) {
        if (taken[i]) {
            checked.emplace(placed.rest[i].to, std::move(*taken[i]));
            from_stage.insert(placed.rest[i].to);
        } else {
            unread.push_back(std::move(placed.rest[i]));
        }
    }
    if (!unread.empty()) {
        ProgressThrottle throttle(events, "extract", image.manifest);
        DESKEXT_TRY(
            layer::extract_entries(source, image.manifest, unread, limits, throttle.callback()));
    }
    DESKEXT_TRY(platform::write_file(stage / metadata_path, metadata_text));

    StagedFiles staged;
    auto& files = staged.files;
    files.reserve(plan.files.size() + 1);
    const auto record = [&](const std::string& dest, std::uint32_t mode,
                            const layer::EntryRef* from) -> Result<void> {
        auto path = stage / platform::path_from_utf8(dest);
        DESKEXT_TRY(platform::set_mode(path, mode));
        FileHash hashed;
        if (auto known = checked.find(path); known != checked.end()) {
            hashed = known->second;
            if (from_stage.contains(path)) staged.hashed_from_stage.insert(dest);
        } else {
            DESKEXT_TRY_ASSIGN(hashed, hash_file(path));
            staged.hashed_from_stage.insert(dest);
        }
        InstalledFile file;
        file.path = dest;
        file.sha256 = hashed.digest.hex();
        file.mode = mode;
        file.size = hashed.size;
        if (from != nullptr) {
            file.origin_layer = layers.at(from->layer).digest.str();
            file.origin_entry = from->ordinal;
        }
        files.push_back(std::move(file));
        return {};
    };
    DESKEXT_TRY(record(std::string(metadata_path), 0644, nullptr));
    for (const auto& file : plan.files) DESKEXT_TRY(record(file.dest, file.mode, &file.from));
    for (const auto& dir : plan.directories)
        DESKEXT_TRY(platform::set_mode(stage / platform::path_from_utf8(dir), 0755));
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
    return staged;
}

// Puts the staged directory in place of the target in one step; the old version, if any, ends
// up in the staging path and is removed afterwards.
Result<void> swap_in(StagingDir& stage, const std::filesystem::path& target,
                     const std::filesystem::path& root) {
    std::error_code ec;
    bool exists =
        std::filesystem::symlink_status(target, ec).type() != std::filesystem::file_type::not_found;
    if (exists) {
        if (std::filesystem::is_symlink(target, ec) || !std::filesystem::is_directory(target, ec))
            return fail(ErrorCode::filesystem,
                        fmt::format("{} exists and is not a directory; remove it first",
                                    platform::utf8_of(target)));
        DESKEXT_TRY(platform::exchange_directories(stage.path(), target));
    } else {
        DESKEXT_TRY(platform::atomic_rename(stage.path(), target));
        stage.release();
    }
    return platform::fsync_path(root);
}

Result<InstallOutcome> install_image(ImageSource& source, const InstallOptions& options,
                                     const std::string& name, const ResolvedImage& image,
                                     const InstallState* previous, EventSink& events);

// Removes the previous version, which the swap left in the staging path. Where a file of it
// cannot be removed yet (Windows: a host binary still running from it), the update has still
// succeeded: a warning says what stays behind, and a later run's cleanup removes it.
void remove_previous(StagingDir& stage, const std::string& name, EventSink& events) {
    if (stage.path().empty()) return;
    if (auto removed = platform::remove_tree(stage.path()); !removed) {
        events.emit("warning",
                    {{"message", fmt::format("the previous version of {} stays in {} until a later "
                                             "run removes it: {}",
                                             name, platform::utf8_of(stage.path()),
                                             removed.error().message)}});
    }
    stage.release();
}

// The install proper, with the extension's lock held by the caller.
Result<InstallOutcome> install_locked(ImageSource& source, const InstallOptions& options,
                                      const std::string& name, EventSink& events) {
    const std::string host = platform::to_string(options.host);
    DESKEXT_TRY_ASSIGN(auto image, resolve_image(source, options.host, options.allow_emulation,
                                                 options.limits, events));
    const auto target = options.root / name;
    const std::string image_platform = platform::to_string(image.image_platform);
    events.emit("resolved", {{"name", name},
                             {"manifest_digest", image.manifest_digest.str()},
                             {"index_digest", image.index_digest ? image.index_digest->str() : ""},
                             {"platform", host},
                             {"image_platform", image_platform},
                             {"layers", image.manifest.layers.size()}});
    DESKEXT_TRY(extension::check_api_version(image.config.labels, build_info::extension_api_version,
                                             events));

    auto previous = read_state(target);
    if (options.require_installed && !previous)
        return fail(ErrorCode::not_found, fmt::format("{} is not installed in {}; use install",
                                                      name, platform::utf8_of(options.root)));
    if (!options.force && previous && previous->manifest_digest == image.manifest_digest.str() &&
        previous->platform == host)
        return InstallOutcome{std::move(*previous), target, true};

    // A cached blob found damaged while it was read has been removed by the source: one more
    // attempt fetches it again.
    const InstallState* installed = previous ? &*previous : nullptr;
    const auto damaged = source.damaged_copies_removed();
    auto outcome = install_image(source, options, name, image, installed, events);
    if (!outcome && outcome.error().code == ErrorCode::integrity &&
        source.damaged_copies_removed() > damaged) {
        events.emit("warning", {{"message", outcome.error().message + "; fetching it again"}});
        outcome = install_image(source, options, name, image, installed, events);
    }
    return outcome;
}

// Fetches, reads and stages the resolved image and swaps it in.
Result<InstallOutcome> install_image(ImageSource& source, const InstallOptions& options,
                                     const std::string& name, const ResolvedImage& image,
                                     const InstallState* previous, EventSink& events) {
    const std::string host = platform::to_string(options.host);
    const auto target = options.root / name;
    const std::string image_platform = platform::to_string(image.image_platform);

    // A registry source starts fetching the missing layers concurrently into the blob cache;
    // the pass below reads each layer as it arrives. Whatever is still being fetched when this
    // returns (the install failed) is stopped.
    ProgressThrottle download_progress(events, "download", image.manifest);
    DESKEXT_TRY_ASSIGN(const auto fetching,
                       source.prefetch(image.manifest.layers, download_progress.callback()));

    // One read of each layer: the tree, metadata.json, and the files the install may need
    // written out as they pass, into a directory of their own inside the root (the same file
    // system as the staging directory they are moved to).
    DESKEXT_TRY(platform::create_directories(options.root));
    DESKEXT_TRY_ASSIGN(auto candidate_dir, StagingDir::create(options.root, name));
    NeededPaths needed(options.host.os, options.limits);
    ProgressThrottle scan_progress(events, "verify", image.manifest);
    DESKEXT_TRY_ASSIGN(
        auto pass,
        layer::read_layers_once(source, image.manifest, {std::string(metadata_path)}, needed,
                                candidate_dir.path(), options.limits, scan_progress.callback()));
    auto& scan = pass.scan;
    auto captured = scan.captured.find(metadata_path);
    if (captured == scan.captured.end())
        return fail(ErrorCode::invalid_extension,
                    fmt::format("the {} image has no /metadata.json: not a Docker Desktop "
                                "extension",
                                image_platform));
    DESKEXT_TRY_ASSIGN(auto metadata, extension::parse_metadata(captured->second, options.limits));
    DESKEXT_TRY_ASSIGN(auto plan,
                       plan_install(scan.tree, metadata, options.host.os, image_platform));
    for (const auto& warning : plan.warnings) events.emit("warning", {{"message", warning}});
    if (plan.binaries.empty())
        events.emit("warning",
                    {{"message", fmt::format("the extension declares no host binaries for {}",
                                             options.host.os)}});

    DESKEXT_TRY_ASSIGN(auto stage, StagingDir::create(options.root, name));
    crash_point("install-staging");
    DESKEXT_TRY_ASSIGN(auto staged_files,
                       stage_files(source, image, plan, captured->second, pass.candidates, previous,
                                   target, stage.path(), options.limits, events));
    DESKEXT_TRY(check_staged_binaries(stage.path(), plan,
                                      binaries_platform(options.host, image.image_platform),
                                      options.strict, events));
    crash_point("install-extracted");

    InstallState state;
    state.name = name;
    state.source = source.describe();
    state.image = source.image_name().value_or("");
    state.version = version_of(source, image.config);
    state.index_digest = image.index_digest ? image.index_digest->str() : "";
    state.manifest_digest = image.manifest_digest.str();
    state.platform = host;
    state.image_platform = image_platform;
    state.installed_at = now_rfc3339();
    state.binaries = plan.binaries;
    state.files = std::move(staged_files.files);
    const auto state_dir = stage.path() / state_dir_name;
    DESKEXT_TRY(platform::create_directories(state_dir));
    DESKEXT_TRY(platform::write_file(state_dir / state_file_name, to_json_text(state)));
    DESKEXT_TRY(platform::set_mode(state_dir, 0755));
    // The staging directory was made private (0700) while it was being filled.
    DESKEXT_TRY(platform::set_mode(stage.path(), 0755));
    // Everything staged is made durable in one flush before the swap can publish it.
    std::vector<std::filesystem::path> staged{stage.path(), state_dir, state_dir / state_file_name};
    for (const auto& dir : plan.directories)
        staged.push_back(stage.path() / platform::path_from_utf8(dir));
    for (const auto& file : state.files)
        staged.push_back(stage.path() / platform::path_from_utf8(file.path));
    // The flush mostly waits for the disk and the check mostly hashes: done side by side. Both
    // must succeed before the swap; a failed flush is reported first.
    auto flushed = std::async(std::launch::async, [&] { return platform::flush_paths(staged); });
    auto checked =
        check_staged(stage.path(), state, options.limits, staged_files.hashed_from_stage);
    DESKEXT_TRY(flushed.get());
    crash_point("install-state-written");
    DESKEXT_TRY(checked);
    crash_point("install-before-swap");
    DESKEXT_TRY(swap_in(stage, target, options.root));
    // A crash from here on leaves the new version in place and the old one in the staging
    // path, which the next run removes.
    crash_point("install-after-swap");
    remove_previous(stage, name, events);
    events.emit("installed", {{"name", name},
                              {"directory", platform::utf8_of(target)},
                              {"version", state.version},
                              {"manifest_digest", state.manifest_digest},
                              {"image_platform", image_platform},
                              {"binaries", state.binaries},
                              {"files", state.files.size()}});
    return InstallOutcome{std::move(state), target, false};
}

}  // namespace

Result<InstallOutcome> install_extension(ImageSource& source, const InstallOptions& options,
                                         EventSink& caller_events) {
    SerializedSink events(caller_events);
    const std::string host = platform::to_string(options.host);
    events.emit("started",
                {{"command", "install"}, {"source", source.describe()}, {"platform", host}});
    DESKEXT_TRY_ASSIGN(auto name, choose_name(source, options));
    DESKEXT_TRY(platform::create_directories(options.root));
    DESKEXT_TRY_ASSIGN(auto locks,
                       ExtensionLocks::take(options.root, name, platform::LockMode::exclusive,
                                            options.wait, events));
    crash_point("install-locked");
    return install_locked(source, options, name, events);
}

}  // namespace deskext
