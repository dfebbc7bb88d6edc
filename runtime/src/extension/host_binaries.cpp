// Where the host binaries declared for one OS are placed: host/<basename of each entry>, as
// Docker Desktop places them (a declared directory is copied whole).
// https://docs.docker.com/extensions/extensions-sdk/architecture/metadata/#host-section
//
// Real extensions declare directories and then list their content too (gefyra lists "/windows/",
// "/windows/lib/" and ~300 files below them, with basenames such as __init__.py repeated many
// times). Such nested entries are already installed by their enclosing directory; placing each
// of them at host/<basename> as well would make their names collide, so only the nested files
// whose basename is unique also get a place of their own (they can be run by name), and the rest
// are only noted. Two entries that are not nested and share a basename would overwrite each
// other on the host: that is a defect of the extension, reported with both paths.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "deskext/extension/metadata.hpp"
#include "extension/display.hpp"
#include "extension/host_names.hpp"

namespace deskext::extension {

namespace {

[[nodiscard]] std::string_view basename_of(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// How the entry is written in metadata.json, for messages: "/windows/lib/".
[[nodiscard]] std::string shown(const HostBinary& binary) {
    return fmt::format("/{}{}", detail::escaped(binary.path), binary.directory ? "/" : "");
}

// The directories declared for one OS. The outermost one strictly above a path is copied
// whole, and the path comes with it.
class DeclaredDirectories {
public:
    explicit DeclaredDirectories(const std::vector<HostBinary>& entries) {
        for (const HostBinary& entry : entries)
            if (entry.directory) m_by_path.try_emplace(entry.path, &entry);
    }

    [[nodiscard]] const HostBinary* enclosing(std::string_view path) const {
        for (auto slash = path.find('/'); slash != std::string_view::npos;
             slash = path.find('/', slash + 1)) {
            if (const auto dir = m_by_path.find(path.substr(0, slash)); dir != m_by_path.end())
                return dir->second;
        }
        return nullptr;
    }

private:
    std::map<std::string_view, const HostBinary*, std::less<>> m_by_path;
};

// Why an entry inside a declared directory gets no place of its own.
std::string enclosed_note(std::string_view prefix, const HostBinary& entry,
                          const HostBinary& parent, std::string_view name) {
    return fmt::format("{}: {} is installed as part of {}{}", prefix, shown(entry), shown(parent),
                       entry.directory ? std::string()
                                       : fmt::format("; another entry is also named {}, so "
                                                     "it is not placed at host/{}",
                                                     detail::quoted(name), detail::escaped(name)));
}

Result<void> check_windows_name(std::string_view prefix, const HostBinary& entry,
                                std::string_view name) {
    const std::string problem = windows_name_problem(name);
    if (problem.empty()) return {};
    return fail(ErrorCode::invalid_extension,
                fmt::format("metadata.json: {}: {} cannot be installed on Windows: its name {} {}",
                            prefix, shown(entry), detail::quoted(name), problem));
}

}  // namespace

Result<std::vector<BinaryPlacement>> host_binaries_for(const Metadata& metadata,
                                                       std::string_view os,
                                                       std::vector<std::string>* notes) {
    if (os != "darwin" && os != "windows" && os != "linux") {
        return fail(ErrorCode::usage, fmt::format("host OS {} is not one of darwin, windows, linux",
                                                  detail::quoted(os)));
    }
    const auto found = metadata.host_binaries.find(os);
    if (found == metadata.host_binaries.end()) return std::vector<BinaryPlacement>{};
    const std::vector<HostBinary>& entries = found->second;
    const std::string prefix = fmt::format("host.binaries {}", os);
    const DeclaredDirectories directories(entries);

    std::map<std::string, std::size_t, std::less<>> name_uses;
    for (const HostBinary& entry : entries) ++name_uses[name_key(basename_of(entry.path), os)];

    std::vector<BinaryPlacement> placements;
    std::map<std::string, const HostBinary*, std::less<>> placed_by_name;
    for (const HostBinary& entry : entries) {
        const std::string_view name = basename_of(entry.path);
        const std::string key = name_key(name, os);
        if (const HostBinary* parent = directories.enclosing(entry.path)) {
            // A file inside a declared directory is also placed at host/NAME when its name is
            // unique; otherwise it only comes with the directory.
            if (entry.directory || name_uses[key] != 1) {
                if (notes != nullptr) notes->push_back(enclosed_note(prefix, entry, *parent, name));
                continue;
            }
        } else if (const auto [it, inserted] = placed_by_name.try_emplace(key, &entry); !inserted) {
            return fail(
                ErrorCode::invalid_extension,
                fmt::format("metadata.json: {}: {} and {} would both be installed as "
                            "host/{}",
                            prefix, shown(*it->second), shown(entry), detail::escaped(name)));
        }
        if (os == "windows") DESKEXT_TRY(check_windows_name(prefix, entry, name));
        placements.push_back(BinaryPlacement{
            .image_path = entry.path, .dest = std::string(name), .directory = entry.directory});
    }
    return placements;
}

}  // namespace deskext::extension
