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
#include "install/emulated_binaries.hpp"
#include "install/emulation_choice.hpp"
#include "install/file_hash.hpp"
#include "install/installed_directory.hpp"
#include "install/needed_paths.hpp"
#include "install/progress_throttle.hpp"
#include "install/stage_files.hpp"
#include "install/staging_dir.hpp"

namespace deskext {
namespace {

constexpr std::string_view metadata_path = "metadata.json";

// Where an install goes, and where the version it replaces is: the same directory, unless that
// version is still in its former directory (installed_directory.hpp), which the swap moves it
// from.
struct Place {
    std::string name;                 // the extension's directory name
    std::filesystem::path target;     // <root>/<name>
    std::filesystem::path installed;  // the installed version's directory, when there is one
};

Result<std::string> choose_name(const ImageSource& source, const InstallOptions& options) {
    if (options.name) return extension_dir_name(*options.name);
    if (auto image = source.image_name()) return extension_dir_name(*image);
    return fail(ErrorCode::usage,
                fmt::format("{} carries no image name to name the extension after; pass --name",
                            source.describe()));
}

// The version people know the extension by: the tag of the image name, else the tag an OCI
// layout entry carries alone (`skopeo copy … oci:DIR:1.0`), else the OCI version label.
std::string version_of(const ImageSource& source, const oci::ImageConfig& config) {
    if (auto image = source.image_name(); image && !image_tag(*image).empty())
        return image_tag(*image);
    if (auto ref = source.ref_name(); ref && !source.image_name()) return *ref;
    auto label = config.labels.find("org.opencontainers.image.version");
    return label == config.labels.end() ? std::string() : label->second;
}

// Whether `previous` installed what `image` would install on `host`: the same manifest, and for
// binaries taken from another variant to run under emulation, the same index (which fixes that
// variant's manifest too).
bool same_install(const InstallState& previous, const ResolvedImage& image,
                  const std::string& host) {
    const std::string index = image.index_digest ? image.index_digest->str() : "";
    return previous.manifest_digest == image.manifest_digest.str() && previous.platform == host &&
           (previous.emulated.empty() || previous.index_digest == index);
}

// Puts the staged directory in place of the target in one step; the old version, if any, ends
// up in the staging path and is removed afterwards. A version in its former directory is first
// moved to the target, whole, in one rename: a crash in between leaves it there, found as ever.
Result<void> swap_in(StagingDir& stage, const Place& place, const std::filesystem::path& root) {
    const auto& target = place.target;
    if (place.installed != target) {
        DESKEXT_TRY(platform::atomic_rename(place.installed, target));
        crash_point(former_moved_crash_point);
    }
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
                                     const Place& place, const ResolvedImage& image,
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
                                      const Place& place, EventSink& events) {
    const std::string& name = place.name;
    const std::string host = platform::to_string(options.host);
    DESKEXT_TRY_ASSIGN(auto image, resolve_image(source, options.host, options.allow_emulation,
                                                 options.limits, events));
    const std::string image_platform = platform::to_string(image.image_platform);
    events.emit("resolved", {{"name", name},
                             {"manifest_digest", image.manifest_digest.str()},
                             {"index_digest", image.index_digest ? image.index_digest->str() : ""},
                             {"platform", host},
                             {"image_platform", image_platform},
                             {"layers", image.manifest.layers.size()}});
    DESKEXT_TRY(extension::check_api_version(image.config.labels, build_info::extension_api_version,
                                             events));

    auto previous = read_state(place.installed);
    if (options.require_installed && !previous)
        return fail(ErrorCode::not_found, fmt::format("{} is not installed in {}; use install",
                                                      name, platform::utf8_of(options.root)));
    if (!options.force && previous && same_install(*previous, image, host))
        return InstallOutcome{std::move(*previous), place.installed, true};

    // A cached blob found damaged while it was read has been removed by the source, or a mirror
    // that served wrong bytes is no longer asked: one more attempt fetches them again.
    const InstallState* installed = previous ? &*previous : nullptr;
    const auto refetchable = source.refetchable_failures();
    auto outcome = install_image(source, options, place, image, installed, events);
    if (!outcome && outcome.error().code == ErrorCode::integrity &&
        source.refetchable_failures() > refetchable) {
        events.emit("warning", {{"message", outcome.error().message + "; fetching it again"}});
        outcome = install_image(source, options, place, image, installed, events);
    }
    return outcome;
}

// A new record of an install of `image`, its files not yet known.
InstallState new_state(const ImageSource& source, const std::string& name,
                       const ResolvedImage& image, const std::string& host) {
    InstallState state;
    state.name = name;
    state.source = source.describe();
    state.image = source.image_name().value_or("");
    state.version = version_of(source, image.config);
    state.index_digest = image.index_digest ? image.index_digest->str() : "";
    state.manifest_digest = image.manifest_digest.str();
    state.platform = host;
    state.image_platform = platform::to_string(image.image_platform);
    state.installed_at = now_rfc3339();
    state.blobs.push_back(image.manifest.config.digest.str());
    for (const auto& layer : image.manifest.layers) state.blobs.push_back(layer.digest.str());
    return state;
}

// Writes metadata.json, from the bytes that were parsed, and records it.
Result<void> add_metadata_file(const std::filesystem::path& stage, const std::string& text,
                               StagedFiles& staged) {
    const auto path = stage / metadata_path;
    DESKEXT_TRY(platform::write_file(path, text));
    DESKEXT_TRY(platform::set_mode(path, 0644));
    DESKEXT_TRY_ASSIGN(auto hashed, hash_file(path));
    InstalledFile file;
    file.path = metadata_path;
    file.sha256 = hashed.digest.hex();
    file.mode = 0644;
    file.size = hashed.size;
    staged.files.push_back(std::move(file));
    staged.hashed_from_stage.insert(std::string(metadata_path));
    std::sort(staged.files.begin(), staged.files.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
    return {};
}

// What stage_install staged: the record, the directories planned, and the files whose hash
// was taken from the staged file itself (check_staged need not hash them again).
struct StagedState {
    InstallState state;
    std::vector<std::string> directories;
    std::set<std::string> hashed_from_stage;
};

// Plans the install from the layers just read and stages everything it writes into `stage`:
// the host variant's files, the binaries taken to run under emulation, metadata.json; the host
// binaries' headers are checked.
Result<StagedState> stage_install(ImageSource& source, const InstallOptions& options,
                                  const Place& place, const ResolvedImage& image,
                                  const layer::SinglePassResult& pass,
                                  const std::string& metadata_text, const InstallState* previous,
                                  const std::filesystem::path& stage, EventSink& events) {
    DESKEXT_TRY_ASSIGN(auto metadata, extension::parse_metadata(metadata_text, options.limits));
    // A host that runs amd64 programs under emulation may take a binary its variant lacks from
    // the amd64 variant (emulated_binaries.hpp): missing ones are listed, not yet an error.
    const auto missing = emulation_for(options.host, image.image_platform) ? MissingBinaries::listed
                                                                           : MissingBinaries::fail;
    StagedInstall staged;
    DESKEXT_TRY_ASSIGN(staged.plan,
                       plan_install(pass.scan.tree, metadata, options.host.os,
                                    platform::to_string(image.image_platform), missing));
    for (const auto& warning : staged.plan.warnings) events.emit("warning", {{"message", warning}});
    if (staged.plan.binaries.empty())
        events.emit("warning",
                    {{"message", fmt::format("the extension declares no host binaries for {}",
                                             options.host.os)}});
    crash_point("install-staging");
    const PreviousVersion installed{previous, place.installed};
    DESKEXT_TRY_ASSIGN(staged.files,
                       stage_files(source, image.manifest, staged.plan, pass.candidates, installed,
                                   stage, options.limits, events));
    DESKEXT_TRY_ASSIGN(staged.binaries, staged_formats(stage, staged.plan));
    const EmulationContext emulation{source,       image,          metadata,
                                     options.host, options.root,   place.name,
                                     installed,    options.limits, options.strict};
    DESKEXT_TRY_ASSIGN(auto emulated, take_emulated_binaries(emulation, stage, staged, events));
    DESKEXT_TRY(check_staged_binaries(staged.binaries,
                                      binaries_platform(options.host, image.image_platform),
                                      options.strict, events));
    DESKEXT_TRY(add_metadata_file(stage, metadata_text, staged.files));
    StagedState result{new_state(source, place.name, image, platform::to_string(options.host)),
                       std::move(staged.plan.directories),
                       std::move(staged.files.hashed_from_stage)};
    result.state.binaries = std::move(staged.plan.binaries);
    result.state.emulated = std::move(emulated);
    result.state.files = std::move(staged.files.files);
    return result;
}

// Writes the record into the stage, makes everything durable, checks the stage against the
// record and swaps it in.
Result<void> publish(StagingDir& stage, const StagedState& staged, const InstallOptions& options,
                     const Place& place, EventSink& events) {
    const auto state_dir = stage.path() / state_dir_name;
    DESKEXT_TRY(platform::create_directories(state_dir));
    DESKEXT_TRY(platform::write_file(state_dir / state_file_name, to_json_text(staged.state)));
    DESKEXT_TRY(platform::set_mode(state_dir, 0755));
    // The staging directory was made private (0700) while it was being filled.
    DESKEXT_TRY(platform::set_mode(stage.path(), 0755));
    // Everything staged is made durable in one flush before the swap can publish it.
    std::vector<std::filesystem::path> paths{stage.path(), state_dir, state_dir / state_file_name};
    for (const auto& dir : staged.directories)
        paths.push_back(stage.path() / platform::path_from_utf8(dir));
    for (const auto& file : staged.state.files)
        paths.push_back(stage.path() / platform::path_from_utf8(file.path));
    // The flush mostly waits for the disk and the check mostly hashes: done side by side. Both
    // must succeed before the swap; a failed flush is reported first.
    auto flushed = std::async(std::launch::async, [&] { return platform::flush_paths(paths); });
    auto checked =
        check_staged(stage.path(), staged.state, options.limits, staged.hashed_from_stage);
    DESKEXT_TRY(flushed.get());
    crash_point("install-state-written");
    DESKEXT_TRY(checked);
    crash_point("install-before-swap");
    DESKEXT_TRY(swap_in(stage, place, options.root));
    // A crash from here on leaves the new version in place and the old one in the staging
    // path, which the next run removes.
    crash_point("install-after-swap");
    remove_previous(stage, place.name, events);
    return {};
}

// Fetches, reads and stages the resolved image and swaps it in.
Result<InstallOutcome> install_image(ImageSource& source, const InstallOptions& options,
                                     const Place& place, const ResolvedImage& image,
                                     const InstallState* previous, EventSink& events) {
    const std::string& name = place.name;
    const auto& target = place.target;
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
    auto captured = pass.scan.captured.find(metadata_path);
    if (captured == pass.scan.captured.end())
        return fail(ErrorCode::invalid_extension,
                    fmt::format("the {} image has no /metadata.json: not a Docker Desktop "
                                "extension",
                                image_platform));

    DESKEXT_TRY_ASSIGN(auto stage, StagingDir::create(options.root, name));
    DESKEXT_TRY_ASSIGN(auto staged,
                       stage_install(source, options, place, image, pass, captured->second,
                                     previous, stage.path(), events));
    crash_point("install-extracted");
    DESKEXT_TRY(publish(stage, staged, options, place, events));
    auto& state = staged.state;
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
    DESKEXT_TRY_ASSIGN(auto installed,
                       lock_installed(options.root, name, platform::LockMode::exclusive,
                                      options.wait, events));
    crash_point("install-locked");
    const Place place{name, options.root / name, options.root / installed.name};
    return install_locked(source, options, place, events);
}

}  // namespace deskext
