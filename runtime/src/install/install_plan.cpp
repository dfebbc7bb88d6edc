#include "deskext/install/install_plan.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "extension/display.hpp"
#include "extension/host_names.hpp"

namespace deskext {
namespace {

using extension::detail::escaped;
using extension::detail::quoted;

constexpr std::uint32_t file_mode = 0644;
constexpr std::uint32_t exec_mode = 0755;

std::string_view basename_of(std::string_view path) {
    auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

class PlanBuilder {
public:
    PlanBuilder(const layer::ImageTree& tree, std::string_view host_os,
                std::string_view image_platform)
        : m_tree(tree), m_host_os(host_os), m_image_platform(image_platform) {}

    // Resolves a declared image path (following symlinks inside the image) to its node.
    Result<std::pair<std::string, const layer::Node*>> lookup(std::string_view path,
                                                              std::string_view what) const {
        auto resolved = m_tree.resolve(path);
        if (!resolved) {
            if (resolved.error().code == ErrorCode::not_found)
                return fail(ErrorCode::invalid_extension,
                            fmt::format("{} /{} is declared in metadata.json but missing from the "
                                        "{} image",
                                        what, path, m_image_platform));
            return std::unexpected(
                std::move(resolved).error().context(fmt::format("{} /{}", what, path)));
        }
        return std::pair{*resolved, m_tree.find(*resolved)};
    }

    // A declared directory that resolves to the image root: copied whole, it would install the
    // image once more (metadata.json included) inside the extension. metadata.json's own
    // "/" and "." are refused when it is parsed; this catches a link that leads there.
    static Result<void> require_below_root(const std::pair<std::string, const layer::Node*>& found,
                                           std::string_view declared, std::string_view what) {
        if (!found.first.empty()) return {};
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} /{} resolves to the image root, not a directory of its own",
                                what, declared));
    }

    // `source` is the image path the file comes from, for messages.
    Result<void> add_file(const layer::Node& node, std::string_view source, std::string dest,
                          std::uint32_t mode) {
        DESKEXT_TRY(claim(dest, source));
        DESKEXT_TRY(add_parents(dest, source));
        m_plan.files.push_back({node.content, std::move(dest), mode});
        return {};
    }

    Result<void> add_dir(std::string_view source, const std::string& dest) {
        DESKEXT_TRY(claim(dest, source));
        return add_parents(dest + "/", source);
    }

    // Copies the tree below `source_dir` to `dest_dir`. Symlinks to files are copied as the file
    // they point to (resolved inside the image); links to directories and dangling links are
    // skipped with a warning, so no cycle and nothing outside the image can be reached.
    Result<void> add_tree(const std::string& source_dir, const std::string& dest_dir,
                          bool keep_exec_bits) {
        DESKEXT_TRY(add_dir(source_dir, dest_dir));
        for (const auto& [path, node] : m_tree.descendants(source_dir)) {
            std::string dest = dest_dir + "/" + path.substr(source_dir.size() + 1);
            const layer::Node* target = node;
            if (node->type == layer::EntryType::symlink) {
                auto resolved = m_tree.resolve(path);
                target = resolved ? m_tree.find(*resolved) : nullptr;
                if (!target || target->type != layer::EntryType::file) {
                    m_plan.warnings.push_back(
                        fmt::format("skipped /{}: a symbolic link to {}", path,
                                    target ? "a directory" : "nothing in the image"));
                    continue;
                }
            }
            switch (target->type) {
                case layer::EntryType::directory:
                    DESKEXT_TRY(add_dir(path, dest));
                    break;
                case layer::EntryType::file: {
                    std::uint32_t mode =
                        keep_exec_bits && (target->mode & 0111) != 0 ? exec_mode : file_mode;
                    DESKEXT_TRY(add_file(*target, path, dest, mode));
                    break;
                }
                default:
                    m_plan.warnings.push_back(
                        fmt::format("skipped /{}: not a regular file or directory", path));
            }
        }
        return {};
    }

    InstallPlan take() && { return std::move(m_plan); }
    InstallPlan& plan() { return m_plan; }

    // Whether a declared image path is absent from the image (other failures to resolve it,
    // a link loop, are left for lookup to report).
    bool missing(std::string_view path) const {
        auto resolved = m_tree.resolve(path);
        return !resolved && resolved.error().code == ErrorCode::not_found;
    }

    Result<void> claim(const std::string& dest, std::string_view source) {
        if (!m_claimed.insert(dest).second)
            return fail(ErrorCode::invalid_extension,
                        fmt::format("two entries of metadata.json install to {}", dest));
        return check_host_name(dest, source);
    }

private:
    // Plans the directories above `dest`, shallowest first. A planned directory has all of its
    // own planned already, so the walk up stops at the first one: a deep tree costs each
    // directory once, not once for every path below it.
    Result<void> add_parents(std::string_view dest, std::string_view source) {
        std::vector<std::size_t> missing;  // where each unplanned directory's path ends
        for (auto pos = dest.rfind('/'); pos != std::string_view::npos && pos > 0;
             pos = dest.rfind('/', pos - 1)) {
            if (m_dirs.contains(dest.substr(0, pos))) break;
            missing.push_back(pos);
        }
        for (auto end = missing.rbegin(); end != missing.rend(); ++end) {
            std::string dir(dest.substr(0, *end));
            m_dirs.insert(dir);
            DESKEXT_TRY(check_host_name(dir, source));
            m_plan.directories.push_back(std::move(dir));
        }
        return {};
    }

    // Refuses an installed path that the host's file system cannot hold as it is: a name Windows
    // reserves or cannot store, or a path that differs from another only in case where the file
    // system ignores case (the two would be one file). Each installed path passes here once.
    Result<void> check_host_name(const std::string& dest, std::string_view source) {
        const std::string_view name = basename_of(dest);
        // A name that is not UTF-8 could not be recorded in the state, shown in an event, or
        // written on Windows (UTF-16) or macOS (APFS names are UTF-8).
        if (!extension::detail::is_valid_utf8(name)) {
            return fail(ErrorCode::invalid_extension,
                        fmt::format("/{} cannot be installed: it would be installed as {}, and "
                                    "the name {} is not valid UTF-8",
                                    escaped(source), escaped(dest), quoted(name)));
        }
        if (m_host_os == "windows") {
            if (const std::string problem = extension::windows_name_problem(name);
                !problem.empty()) {
                return fail(ErrorCode::invalid_extension,
                            fmt::format("/{} cannot be installed on Windows: it would be installed "
                                        "as {}, and the name {} {}",
                                        escaped(source), escaped(dest), quoted(name), problem));
            }
        }
        if (m_host_os == "linux") return {};
        const auto [other, inserted] =
            m_folded.try_emplace(extension::name_key(dest, m_host_os), dest);
        if (inserted || other->second == dest) return {};
        return fail(ErrorCode::invalid_extension,
                    fmt::format("/{} cannot be installed on {}: it would be installed as {}, which "
                                "differs only in case from {}, and that file system ignores case",
                                escaped(source), m_host_os == "windows" ? "Windows" : "macOS",
                                escaped(dest), escaped(other->second)));
    }

    const layer::ImageTree& m_tree;
    std::string_view m_host_os;
    std::string_view m_image_platform;
    InstallPlan m_plan;
    std::set<std::string> m_claimed;
    std::set<std::string, std::less<>> m_dirs;
    std::map<std::string, std::string> m_folded;  // case-folded installed path -> the path
};

// Plans the host binaries declared for `host_os` (those whose destination is in `only`, when
// given). A missing one fails, or with MissingBinaries::listed is listed; its destination is
// claimed either way, so nothing else of the plan can take its name.
Result<void> add_host_binaries(PlanBuilder& builder, const extension::Metadata& metadata,
                               std::string_view host_os, MissingBinaries missing,
                               const std::vector<std::string>* only) {
    std::vector<std::string> notes;
    DESKEXT_TRY_ASSIGN(auto binaries, extension::host_binaries_for(metadata, host_os, &notes));
    for (auto& note : notes) builder.plan().warnings.push_back(std::move(note));
    for (const auto& binary : binaries) {
        std::string dest = "host/" + binary.dest;
        if (only != nullptr && std::ranges::find(*only, dest) == only->end()) continue;
        if (missing == MissingBinaries::listed && builder.missing(binary.image_path)) {
            DESKEXT_TRY(builder.claim(dest, binary.image_path));
            builder.plan().missing_binaries.push_back(dest);
            builder.plan().binaries.push_back(std::move(dest));
            continue;
        }
        DESKEXT_TRY_ASSIGN(auto found, builder.lookup(binary.image_path, "host binary"));
        if (found.second->type == layer::EntryType::directory) {
            DESKEXT_TRY(PlanBuilder::require_below_root(found, binary.image_path, "host binary"));
            DESKEXT_TRY(builder.add_tree(found.first, dest, true));
        } else if (found.second->type == layer::EntryType::file) {
            DESKEXT_TRY(builder.add_file(*found.second, binary.image_path, dest, exec_mode));
        } else {
            return fail(ErrorCode::invalid_extension,
                        fmt::format("host binary /{} is not a regular file or directory",
                                    binary.image_path));
        }
        builder.plan().binaries.push_back(std::move(dest));
    }
    return {};
}

}  // namespace

Result<InstallPlan> plan_install(const layer::ImageTree& tree, const extension::Metadata& metadata,
                                 std::string_view host_os, std::string_view image_platform,
                                 MissingBinaries missing) {
    PlanBuilder builder(tree, host_os, image_platform);

    if (!metadata.icon) return fail(ErrorCode::invalid_extension, "metadata.json declares no icon");
    {
        DESKEXT_TRY_ASSIGN(auto icon, builder.lookup(*metadata.icon, "icon"));
        if (icon.second->type != layer::EntryType::file)
            return fail(ErrorCode::invalid_extension,
                        fmt::format("icon /{} is not a regular file", *metadata.icon));
        DESKEXT_TRY(builder.add_file(*icon.second, *metadata.icon, *metadata.icon, file_mode));
    }

    if (metadata.dashboard_tab) {
        const auto& root = metadata.dashboard_tab->root;
        DESKEXT_TRY_ASSIGN(auto ui, builder.lookup(root, "UI root"));
        if (ui.second->type != layer::EntryType::directory)
            return fail(ErrorCode::invalid_extension,
                        fmt::format("UI root /{} is not a directory", root));
        DESKEXT_TRY(PlanBuilder::require_below_root(ui, root, "UI root"));
        DESKEXT_TRY(builder.add_tree(ui.first, "ui/" + std::string(basename_of(root)), false));
    }

    if (metadata.vm && metadata.vm->composefile) {
        const auto& compose = *metadata.vm->composefile;
        DESKEXT_TRY_ASSIGN(auto file, builder.lookup(compose, "compose file"));
        if (file.second->type != layer::EntryType::file)
            return fail(ErrorCode::invalid_extension,
                        fmt::format("compose file /{} is not a regular file", compose));
        DESKEXT_TRY(builder.add_file(*file.second, compose,
                                     "vm/" + std::string(basename_of(compose)), file_mode));
    }

    DESKEXT_TRY(add_host_binaries(builder, metadata, host_os, missing, nullptr));
    return std::move(builder).take();
}

Result<InstallPlan> plan_host_binaries(const layer::ImageTree& tree,
                                       const extension::Metadata& metadata,
                                       std::string_view host_os, std::string_view image_platform,
                                       const std::vector<std::string>& binaries) {
    PlanBuilder builder(tree, host_os, image_platform);
    DESKEXT_TRY(add_host_binaries(builder, metadata, host_os, MissingBinaries::listed, &binaries));
    return std::move(builder).take();
}

}  // namespace deskext
