#include "install/stage_files.hpp"

#include <optional>
#include <utility>

#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"
#include "install/file_hash.hpp"
#include "install/progress_throttle.hpp"
#include "parallel/for_each_index.hpp"

namespace deskext {
namespace {

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

// What is known of the files written: hashed as they were written, or as they were copied from
// the installed version; `from_stage` holds those (of `hashes`) hashed from the staged file.
struct WrittenFiles {
    std::map<std::filesystem::path, FileHash> hashes;
    std::set<std::filesystem::path> from_stage;
};

// Gives every planned file its content: a candidate moved in, a copy of the installed version's
// file of the same origin, or the entry read from its layer.
Result<WrittenFiles> write_files(ImageSource& source, const oci::Manifest& manifest,
                                 const InstallPlan& plan,
                                 const std::map<layer::EntryRef, layer::Candidate>& candidates,
                                 const PreviousVersion& previous,
                                 const std::filesystem::path& stage, const Limits& limits,
                                 EventSink& events) {
    const auto& layers = manifest.layers;
    std::vector<layer::Placement> placements;
    placements.reserve(plan.files.size());
    for (const auto& file : plan.files)
        placements.push_back({file.from, stage / platform::path_from_utf8(file.dest), file.mode});
    DESKEXT_TRY_ASSIGN(auto placed, layer::place_candidates(candidates, placements));

    const auto origins = origins_of(previous.state);
    WrittenFiles written{std::move(placed.hashes), {}};
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
            taken[i] = copy_installed(previous.dir, *installed[i], placed.rest[i]);
    });
    std::vector<layer::Placement> unread;
    for (std::size_t i = 0; i < placed.rest.size(); ++i) {
        if (taken[i]) {
            written.hashes.emplace(placed.rest[i].to, std::move(*taken[i]));
            written.from_stage.insert(placed.rest[i].to);
        } else {
            unread.push_back(std::move(placed.rest[i]));
        }
    }
    if (!unread.empty()) {
        ProgressThrottle throttle(events, "extract", manifest);
        DESKEXT_TRY(layer::extract_entries(source, manifest, unread, limits, throttle.callback()));
    }
    return written;
}

}  // namespace

Result<StagedFiles> stage_files(ImageSource& source, const oci::Manifest& manifest,
                                const InstallPlan& plan,
                                const std::map<layer::EntryRef, layer::Candidate>& candidates,
                                const PreviousVersion& previous, const std::filesystem::path& stage,
                                const Limits& limits, EventSink& events) {
    for (const auto& dir : plan.directories)
        DESKEXT_TRY(platform::create_directories(stage / platform::path_from_utf8(dir)));
    DESKEXT_TRY_ASSIGN(auto written, write_files(source, manifest, plan, candidates, previous,
                                                 stage, limits, events));
    StagedFiles staged;
    staged.files.reserve(plan.files.size());
    for (const auto& planned : plan.files) {
        auto path = stage / platform::path_from_utf8(planned.dest);
        DESKEXT_TRY(platform::set_mode(path, planned.mode));
        FileHash hashed;
        if (auto known = written.hashes.find(path); known != written.hashes.end()) {
            hashed = known->second;
            if (written.from_stage.contains(path)) staged.hashed_from_stage.insert(planned.dest);
        } else {
            DESKEXT_TRY_ASSIGN(hashed, hash_file(path));
            staged.hashed_from_stage.insert(planned.dest);
        }
        InstalledFile file;
        file.path = planned.dest;
        file.sha256 = hashed.digest.hex();
        file.mode = planned.mode;
        file.size = hashed.size;
        file.origin_layer = manifest.layers.at(planned.from.layer).digest.str();
        file.origin_entry = planned.from.ordinal;
        staged.files.push_back(std::move(file));
    }
    for (const auto& dir : plan.directories)
        DESKEXT_TRY(platform::set_mode(stage / platform::path_from_utf8(dir), 0755));
    return staged;
}

}  // namespace deskext
