#include "deskext/install/installer.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "deskext/build_info.hpp"
#include "deskext/extension/api_version.hpp"
#include "deskext/extension/metadata.hpp"
#include "deskext/install/extension_name.hpp"
#include "deskext/install/install_plan.hpp"
#include "deskext/install/resolve_image.hpp"
#include "deskext/install/verify.hpp"
#include "deskext/layer/layer_scan.hpp"
#include "deskext/platform/fs.hpp"
#include "install/binary_checks.hpp"
#include "install/crash_point.hpp"
#include "install/file_hash.hpp"
#include "install/locks.hpp"
#include "install/progress_throttle.hpp"
#include "install/staging_dir.hpp"

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

// Writes everything the plan names into the staging directory and records it.
Result<std::vector<InstalledFile>> stage_files(ImageSource& source, const ResolvedImage& image,
                                               const InstallPlan& plan,
                                               const std::string& metadata_text,
                                               const std::filesystem::path& stage,
                                               const Limits& limits, EventSink& events) {
    for (const auto& dir : plan.directories) DESKEXT_TRY(platform::create_directories(stage / dir));

    std::vector<layer::Placement> placements;
    placements.reserve(plan.files.size());
    for (const auto& file : plan.files)
        placements.push_back({file.from, stage / file.dest, file.mode});
    ProgressThrottle throttle(events, "extract", image.manifest);
    DESKEXT_TRY(
        layer::extract_entries(source, image.manifest, placements, limits, throttle.callback()));
    DESKEXT_TRY(platform::write_file(stage / metadata_path, metadata_text));

    std::vector<std::pair<std::string, std::uint32_t>> written;
    written.reserve(plan.files.size() + 1);
    written.emplace_back(std::string(metadata_path), 0644);
    for (const auto& file : plan.files) written.emplace_back(file.dest, file.mode);

    std::vector<InstalledFile> files;
    files.reserve(written.size());
    for (const auto& [dest, mode] : written) {
        auto path = stage / dest;
        DESKEXT_TRY(platform::set_mode(path, mode));
        DESKEXT_TRY_ASSIGN(auto hashed, hash_file(path));
        DESKEXT_TRY(platform::fsync_path(path));
        files.push_back({dest, hashed.digest.hex(), mode, hashed.size});
    }
    for (const auto& dir : plan.directories) {
        DESKEXT_TRY(platform::set_mode(stage / dir, 0755));
        DESKEXT_TRY(platform::fsync_path(stage / dir));
    }
    std::sort(files.begin(), files.end(),
              [](const auto& a, const auto& b) { return a.path < b.path; });
    return files;
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
            return fail(
                ErrorCode::filesystem,
                fmt::format("{} exists and is not a directory; remove it first", target.string()));
        DESKEXT_TRY(platform::exchange_directories(stage.path(), target));
    } else {
        DESKEXT_TRY(platform::atomic_rename(stage.path(), target));
        stage.release();
    }
    return platform::fsync_path(root);
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
    DESKEXT_TRY(extension::check_api_version(image.config.labels,
                                             build_info::extension_api_version, events));

    auto previous = read_state(target);
    if (options.require_installed && !previous)
        return fail(ErrorCode::not_found, fmt::format("{} is not installed in {}; use install",
                                                      name, options.root.string()));
    if (!options.force && previous && previous->manifest_digest == image.manifest_digest.str() &&
        previous->platform == host)
        return InstallOutcome{std::move(*previous), target, true};

    // A registry source fetches the missing layers concurrently into the blob cache here, so
    // that both passes below read local files.
    ProgressThrottle download_progress(events, "download", image.manifest);
    DESKEXT_TRY(source.prefetch(image.manifest.layers, download_progress.callback()));
    ProgressThrottle scan_progress(events, "verify", image.manifest);
    DESKEXT_TRY_ASSIGN(auto scan,
                       layer::scan_layers(source, image.manifest, {std::string(metadata_path)},
                                          options.limits, scan_progress.callback()));
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

    DESKEXT_TRY(platform::create_directories(options.root));
    DESKEXT_TRY_ASSIGN(auto stage, StagingDir::create(options.root, name));
    crash_point("install-staging");
    DESKEXT_TRY_ASSIGN(auto files, stage_files(source, image, plan, captured->second, stage.path(),
                                               options.limits, events));
    DESKEXT_TRY(check_staged_binaries(
        stage.path(), plan, platform::make_platform(options.host.os, image.image_platform.arch),
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
    state.files = std::move(files);
    const auto state_dir = stage.path() / state_dir_name;
    DESKEXT_TRY(platform::create_directories(state_dir));
    DESKEXT_TRY(platform::write_file(state_dir / state_file_name, to_json_text(state)));
    DESKEXT_TRY(platform::set_mode(state_dir, 0755));
    DESKEXT_TRY(platform::fsync_path(state_dir));
    // The staging directory was made private (0700) while it was being filled.
    DESKEXT_TRY(platform::set_mode(stage.path(), 0755));
    DESKEXT_TRY(platform::fsync_path(stage.path()));
    crash_point("install-state-written");

    DESKEXT_TRY(check_staged(stage.path(), state, options.limits));
    crash_point("install-before-swap");
    DESKEXT_TRY(swap_in(stage, target, options.root));
    // A crash from here on leaves the new version in place and the old one in the staging
    // path, which the next run removes.
    crash_point("install-after-swap");
    events.emit("installed", {{"name", name},
                              {"directory", target.string()},
                              {"version", state.version},
                              {"manifest_digest", state.manifest_digest},
                              {"image_platform", image_platform},
                              {"binaries", state.binaries},
                              {"files", state.files.size()}});
    return InstallOutcome{std::move(state), target, false};
}

}  // namespace

Result<InstallOutcome> install_extension(ImageSource& source, const InstallOptions& options,
                                         EventSink& events) {
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
