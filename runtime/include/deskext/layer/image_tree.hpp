#pragma once
// The merged view of an image's file system, built from the entry headers of its layers in
// order (no file data is kept): what each path is after whiteouts and opaque directories, and
// which layer entry holds its content. The installer plans from this view, then reads only the
// entries it needs.
// https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts

#include <compare>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "deskext/layer/layer_reader.hpp"

namespace deskext::layer {

// One entry of one layer: layers counted from 0 (bottom), entries from 0 in archive order.
struct EntryRef {
    std::size_t layer = 0;
    std::size_t ordinal = 0;
    friend auto operator<=>(const EntryRef&, const EntryRef&) = default;
};

struct Node {
    EntryType type = EntryType::file;  // never hardlink: a hardlink becomes a file node whose
                                       // content is its target's entry
    std::uint32_t mode = 0;
    std::int64_t size = 0;
    std::string link_target;  // symlinks only, as written in the layer
    EntryRef content;         // the entry whose data is this file's content
};

class ImageTree {
public:
    // Applies one entry: `.wh.NAME` removes NAME (and below) as left by lower layers,
    // `.wh..wh..opq` hides everything lower layers put in its directory (entries of the same
    // layer stay, wherever the marker appears in it), other entries replace what was there.
    // Whiteouts that would escape or name the root, hard links to missing entries, outside the
    // root or to a symlink are ErrorCode::invalid_extension naming the entry.
    [[nodiscard]] Result<void> apply(const Entry& entry, EntryRef ref);

    [[nodiscard]] const Node* find(std::string_view path) const;

    // Resolves every symlink on the way to `path` (the last component too), as if the image root
    // were `/`: absolute targets start at the image root and ".." never climbs above it, so a
    // link to /etc/passwd resolves to the image's own /etc/passwd. Returns the normalised path
    // of an existing node. not_found when a component does not exist; invalid_extension on a
    // loop (more than 40 links).
    [[nodiscard]] Result<std::string> resolve(std::string_view path) const;

    // Every node strictly below directory `dir`, sorted by path.
    [[nodiscard]] std::vector<std::pair<std::string, const Node*>> descendants(
        std::string_view dir) const;

    [[nodiscard]] std::size_t size() const { return m_nodes.size(); }

private:
    std::map<std::string, Node, std::less<>> m_nodes;  // path → node; "" is the root
};

}  // namespace deskext::layer
