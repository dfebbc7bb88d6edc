#include "install/emulated_binaries.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "deskext/layer/single_pass.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"
#include "install/emulation_choice.hpp"
#include "install/needed_paths.hpp"
#include "install/staging_dir.hpp"

namespace deskext {
namespace {

// "host/<name>" → the image path it is declared as, for the host's OS.
std::map<std::string, std::string> declared_paths(const extension::Metadata& metadata,
                                                  std::string_view os) {
    std::map<std::string, std::string> paths;
    if (auto placements = extension::host_binaries_for(metadata, os)) {
        for (const auto& placement : *placements)
            paths.emplace("host/" + placement.dest, placement.image_path);
    }
    return paths;
}

std::vector<binfmt::BinaryFormat> formats_of(const std::vector<StagedBinary>& binaries,
                                             std::string_view binary) {
    std::vector<binfmt::BinaryFormat> formats;
    for (const auto& staged : binaries)
        if (belongs_to(staged.dest, binary)) formats.push_back(staged.format);
    return formats;
}

// The amd64 variant's builds of the binaries wanted, staged beside the install; no `dir` when
// the image has no such variant.
struct OtherBuilds {
    std::string variant;
    std::string manifest_digest;
    std::optional<StagingDir> dir;
    StagedInstall staged;
};

Result<OtherBuilds> stage_other_builds(const EmulationContext& c,
                                       const platform::Platform& emulated,
                                       const std::vector<std::string>& wanted,
                                       const std::map<std::string, std::string>& paths) {
    OtherBuilds other;
    other.variant = platform::to_string(image_platform_for(emulated));
    NullSink quiet;
    auto image = resolve_image(c.source, emulated, false, c.limits, quiet);
    if (!image) {
        if (image.error().code == ErrorCode::no_matching_platform) return other;
        return std::unexpected(std::move(image).error().context("the " + other.variant + " image"));
    }
    other.manifest_digest = image->manifest_digest.str();
    // Only the wanted binaries are written out as the layers pass; nothing is captured.
    NeededPaths needed(c.host.os, c.limits);
    std::set<std::string, std::less<>> roots;
    for (const auto& binary : wanted) roots.insert(paths.at(binary));
    needed.want(std::move(roots));
    DESKEXT_TRY_ASSIGN(auto candidates, StagingDir::create(c.root, c.name));
    DESKEXT_TRY_ASSIGN(auto pass, layer::read_layers_once(c.source, image->manifest, {}, needed,
                                                          candidates.path(), c.limits, {}));
    auto& staged = other.staged;
    DESKEXT_TRY_ASSIGN(staged.plan, plan_host_binaries(pass.scan.tree, c.metadata, c.host.os,
                                                       other.variant, wanted));
    DESKEXT_TRY_ASSIGN(auto dir, StagingDir::create(c.root, c.name));
    DESKEXT_TRY_ASSIGN(staged.files,
                       stage_files(c.source, image->manifest, staged.plan, pass.candidates,
                                   c.previous, dir.path(), c.limits, quiet));
    DESKEXT_TRY_ASSIGN(staged.binaries, staged_formats(dir.path(), staged.plan));
    other.dir.emplace(std::move(dir));
    return other;
}

// Puts the other variant's staged `binary` in place of the host variant's, on disk and in the
// records: plan, state records and the binaries left to check.
Result<void> replace_binary(StagedInstall& staged, const std::filesystem::path& stage,
                            StagedInstall& other, const std::filesystem::path& other_dir,
                            const std::string& binary) {
    const auto to = stage / platform::path_from_utf8(binary);
    DESKEXT_TRY(platform::remove_tree(to));
    DESKEXT_TRY(platform::create_directories(to.parent_path()));
    DESKEXT_TRY(platform::set_mode(to.parent_path(), 0755));
    DESKEXT_TRY(platform::atomic_rename(other_dir / platform::path_from_utf8(binary), to));

    const auto inside = [&](std::string_view path) { return belongs_to(path, binary); };
    auto& plan = staged.plan;
    std::erase_if(plan.files, [&](const auto& file) { return inside(file.dest); });
    std::erase_if(plan.directories, inside);
    std::erase(plan.missing_binaries, binary);
    for (auto& file : other.plan.files)
        if (inside(file.dest)) plan.files.push_back(file);
    for (auto& dir : other.plan.directories)
        if (inside(dir) || std::ranges::find(plan.directories, dir) == plan.directories.end())
            plan.directories.push_back(dir);

    auto& files = staged.files;
    std::erase_if(files.files, [&](const auto& file) { return inside(file.path); });
    std::erase_if(files.hashed_from_stage, inside);
    for (auto& file : other.files.files)
        if (inside(file.path)) files.files.push_back(file);
    for (const auto& path : other.files.hashed_from_stage)
        if (inside(path)) files.hashed_from_stage.insert(path);
    std::erase_if(staged.binaries, [&](const auto& b) { return inside(b.dest); });
    return {};
}

// --strict takes nothing from another variant: a binary the host's variant lacks fails the
// install; one it carries for another platform is refused by the header check.
Result<void> refuse_missing(const EmulationContext& c, const StagedInstall& staged,
                            const std::vector<std::string>& wanted,
                            const std::map<std::string, std::string>& paths) {
    for (const auto& binary : wanted) {
        if (!staged.plan.lacks(binary)) continue;
        return fail(
            ErrorCode::invalid_extension,
            fmt::format("--strict: host binary /{} ({}) is declared in metadata.json but "
                        "missing from the {} image; --strict takes no build from another "
                        "variant to run under emulation on {}",
                        paths.at(binary), binary, platform::to_string(c.image.image_platform),
                        platform::to_string(c.host)));
    }
    return {};
}

}  // namespace

Result<std::vector<EmulatedBinary>> take_emulated_binaries(const EmulationContext& c,
                                                           const std::filesystem::path& stage,
                                                           StagedInstall& staged,
                                                           EventSink& events) {
    const auto emulated = emulation_for(c.host, c.image.image_platform);
    if (!emulated) return std::vector<EmulatedBinary>{};
    std::vector<std::string> wanted;
    for (const auto& binary : staged.plan.binaries)
        if (wants_emulated_build(staged.plan.lacks(binary),
                                 formats_of(staged.binaries, binary), c.host))
            wanted.push_back(binary);
    if (wanted.empty()) return std::vector<EmulatedBinary>{};
    const auto paths = declared_paths(c.metadata, c.host.os);
    if (c.strict) {
        DESKEXT_TRY(refuse_missing(c, staged, wanted, paths));
        return std::vector<EmulatedBinary>{};
    }
    DESKEXT_TRY_ASSIGN(auto other, stage_other_builds(c, *emulated, wanted, paths));
    const std::string variant = platform::to_string(c.image.image_platform);
    std::vector<EmulatedBinary> taken;
    for (const auto& binary : wanted) {
        const bool missing = staged.plan.lacks(binary);
        const auto formats = formats_of(other.staged.binaries, binary);
        if (!other.dir ||
            !runs_emulated(other.staged.plan.lacks(binary), formats, *emulated)) {
            if (!missing) continue;  // the header check warns about the build it carries
            const auto why =
                why_not_emulated(paths.at(binary), other.variant, other.dir.has_value(),
                                 other.staged.plan.lacks(binary), formats, *emulated);
            return std::unexpected(
                no_emulated_build(paths.at(binary), variant, c.host, other.variant, why));
        }
        for (const auto& file : other.staged.binaries)
            if (belongs_to(file.dest, binary))
                events.emit("warning", emulated_binary_fields(file.dest, file.format, c.host,
                                                              variant, other.variant, missing));
        DESKEXT_TRY(replace_binary(staged, stage, other.staged, other.dir->path(), binary));
        taken.push_back(
            {binary, other.variant, other.manifest_digest, platform::to_string(*emulated)});
    }
    return taken;
}

}  // namespace deskext
