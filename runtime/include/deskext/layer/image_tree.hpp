#pragma once
// The merged view of an image's file system, built from the entry headers of its layers in
// order (no file data is kept): what each path is after whiteouts and opaque directories, and
// which layer entry holds its content. The installer plans from this view, then reads only the
// entries it needs.
// https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
//
// The view is a tree of path components (each directory holds its children by name), so that
// applying an entry, finding a path and resolving one cost time in proportion to the number of
// components, never to the length of the whole path once per component; the resolution of each
// symbolic link is remembered until the tree next changes, so that many links into the same
// deep place do not walk it again (SECURITY.md, "Bounded resources").

#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "deskext/layer/layer_reader.hpp"
#include "deskext/limits.hpp"

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

// Not safe to use from several threads at once, even through const members: resolve() fills a
// cache of link resolutions.
class ImageTree {
public:
    ImageTree();
    // `max_path_bytes` caps a resolved path (after following links); by default, as a name.
    explicit ImageTree(std::size_t max_path_bytes);
    ImageTree(ImageTree&&) noexcept;
    ImageTree& operator=(ImageTree&&) noexcept;
    ~ImageTree();

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
    // loop (more than 40 links) or when the resolved path is longer than `max_path_bytes`.
    [[nodiscard]] Result<std::string> resolve(std::string_view path) const;

    // Every node strictly below directory `dir`, sorted by path.
    [[nodiscard]] std::vector<std::pair<std::string, const Node*>> descendants(
        std::string_view dir) const;

    [[nodiscard]] std::size_t size() const { return m_count; }

    // The nodes visited so far by every member (a step from a node to a child or a parent, a
    // node copied out, a component of a path rebuilt): a measure of work that does not depend
    // on the machine, for the tests that check it grows in proportion to the image.
    [[nodiscard]] std::uint64_t visits() const { return m_visits; }

    struct TreeNode;

private:
    // Why a walk stopped: `message` follows the resolved path's quote in the error.
    struct Failure {
        ErrorCode code = ErrorCode::not_found;
        std::string message;
        bool loop = false;  // more links than allowed
    };
    // What following one symbolic link gives: the node its target leads to (null on failure)
    // and the links met on the way, the link itself not counted.
    struct LinkResolution {
        const TreeNode* target = nullptr;
        int links = 0;
        int limit = 0;  // the links the walk was allowed; a loop found under a lower limit
                        // is looked at again under a higher one
        Failure failure;
    };

    const TreeNode* walk(const TreeNode* at, std::string_view text, int& links, int limit,
                         Failure& failure) const;
    const TreeNode* follow(const TreeNode* link, int& links, int limit, Failure& failure) const;
    const TreeNode* locate(std::string_view path) const;
    // The steps of apply().
    [[nodiscard]] Result<void> refuse_below_link(std::string_view path) const;
    [[nodiscard]] Result<void> apply_whiteout(std::string_view path, EntryRef ref);
    [[nodiscard]] Result<Node> node_for(const Entry& entry, EntryRef ref) const;
    TreeNode* make_parents(std::string_view path, EntryRef ref);
    TreeNode& add_child(TreeNode& parent, std::string_view name, Node node);
    void replace_or_add(TreeNode& parent, std::string_view base, Node node);
    std::string path_of(const TreeNode* node) const;

    std::unique_ptr<TreeNode> m_root;
    bool m_has_root = false;  // the root counts as a node once an entry has been applied
    std::size_t m_count = 0;
    std::size_t m_max_path_bytes;
    mutable std::uint64_t m_visits = 0;
    mutable std::unordered_map<const TreeNode*, LinkResolution> m_links;
};

}  // namespace deskext::layer
