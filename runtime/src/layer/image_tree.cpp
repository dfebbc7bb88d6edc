#include "deskext/layer/image_tree.hpp"

#include <algorithm>
#include <deque>
#include <set>

#include "layer/entry_path.hpp"

// Whiteouts and opaque directories as the OCI image spec defines them:
// https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
// A whiteout applies only to what lower layers left; what the same layer adds stays, wherever
// the whiteout appears in the archive ("Files that are present in the same layer as a whiteout
// file can only be hidden by whiteout files in subsequent layers").

namespace deskext::layer {

namespace {

constexpr std::string_view k_whiteout_prefix = ".wh.";
constexpr std::string_view k_opaque_marker = ".wh..wh..opq";
// AUFS keeps its own bookkeeping under this prefix; such entries are neither files of the image
// nor whiteouts, and are ignored as Docker ignores them.
constexpr std::string_view k_aufs_meta_prefix = ".wh..wh.";
constexpr int k_max_symlinks = 40;  // as Linux's MAXSYMLINKS

std::string_view parent_of(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

std::string_view base_of(std::string_view path) {
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string join(std::string_view dir, std::string_view name) {
    if (dir.empty()) return std::string(name);
    std::string out(dir);
    out += '/';
    out += name;
    return out;
}

std::string prefix_of(std::string_view dir) { return dir.empty() ? std::string{} : join(dir, ""); }

std::unexpected<Error> refuse(std::string_view path, std::string_view why) {
    return fail(ErrorCode::invalid_extension,
                "layer entry \"" + std::string(path) + "\": " + std::string(why));
}

void split_into(std::string_view path, std::deque<std::string>& out, bool front) {
    std::deque<std::string> parts;
    while (!path.empty()) {
        const std::size_t slash = path.find('/');
        parts.emplace_back(path.substr(0, slash));
        path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
    }
    if (front)
        out.insert(out.begin(), parts.begin(), parts.end());
    else
        out.insert(out.end(), parts.begin(), parts.end());
}

const Node& implicit_root() {
    static const Node root{EntryType::directory, 0755, 0, {}, {}};
    return root;
}

}  // namespace

namespace {

// The nodes strictly below `dir` in a path-sorted map form one contiguous range.
template <class Map>
auto subtree_range(Map& nodes, std::string_view dir) {
    const std::string prefix = prefix_of(dir);
    auto first = nodes.lower_bound(prefix);
    if (dir.empty() && first != nodes.end() && first->first.empty()) ++first;
    auto last = first;
    while (last != nodes.end() && std::string_view(last->first).starts_with(prefix)) ++last;
    return std::pair{first, last};
}

// Removes what layers below `layer` left at `path` (when `include_self`) and below it. Nodes the
// same layer added stay, and so do the directories above them.
template <class Map>
void remove_lower(Map& nodes, std::string_view path, bool include_self, std::size_t layer) {
    std::set<std::string, std::less<>> doomed;
    std::vector<std::string> kept;
    auto [first, last] = subtree_range(nodes, path);
    for (auto it = first; it != last; ++it) {
        if (it->second.content.layer < layer)
            doomed.insert(it->first);
        else
            kept.push_back(it->first);
    }
    if (include_self) {
        auto self = nodes.find(path);
        if (self != nodes.end() && self->second.content.layer < layer) doomed.emplace(path);
    }
    for (const std::string& k : kept) {
        for (std::string_view up = parent_of(k); !up.empty(); up = parent_of(up)) {
            auto it = doomed.find(up);
            if (it == doomed.end()) continue;
            doomed.erase(it);
        }
    }
    for (const std::string& d : doomed) nodes.erase(d);
}

using NodeMap = std::map<std::string, Node, std::less<>>;

void make_parents(NodeMap& nodes, std::string_view path, EntryRef ref) {
    // Layers may name "a/b/c" without "a/" and "a/b/": the directories are implied.
    std::size_t slash = path.find('/');
    while (slash != std::string_view::npos) {
        const std::string_view dir = path.substr(0, slash);
        auto it = nodes.find(dir);
        if (it == nodes.end()) {
            nodes.emplace(std::string(dir), Node{EntryType::directory, 0755, 0, {}, ref});
        } else if (it->second.type != EntryType::directory) {
            // Something that was a file or a link becomes a directory, as extracting the
            // layer over the lower ones would make it (a non-directory has nothing below it).
            it->second = Node{EntryType::directory, 0755, 0, {}, ref};
        }
        slash = path.find('/', slash + 1);
    }
}

// The first proper ancestor of `path` that is a symbolic link, if any. An entry below a link
// would be written through it by a naive extractor (umoci CVE-2021-29136): no builder writes
// one (a layer records files where they really are), so such an entry is refused.
const std::string* symlink_ancestor(const NodeMap& nodes, std::string_view path) {
    for (std::size_t slash = path.find('/'); slash != std::string_view::npos;
         slash = path.find('/', slash + 1)) {
        auto it = nodes.find(path.substr(0, slash));
        if (it != nodes.end() && it->second.type == EntryType::symlink) return &it->first;
    }
    return nullptr;
}

}  // namespace

const Node* ImageTree::find(std::string_view path) const {
    auto it = m_nodes.find(path);
    if (it != m_nodes.end()) return &it->second;
    return path.empty() ? &implicit_root() : nullptr;
}

Result<void> ImageTree::apply(const Entry& entry, EntryRef ref) {
    const std::string& path = entry.path;
    if (!is_normalised_path(path)) return refuse(path, "name is not a plain image path");
    if (!m_nodes.contains(std::string_view{}))
        m_nodes.emplace("", Node{EntryType::directory, 0755, 0, {}, ref});

    if (const std::string* link = symlink_ancestor(m_nodes, path))
        return refuse(
            path, "\"" + *link + "\" is a symbolic link; entries are never written through links");

    const std::string_view base = base_of(path);
    if (base.starts_with(k_whiteout_prefix)) {
        const std::string_view dir = parent_of(path);
        if (base == k_opaque_marker) {
            // An opaque root would hide the whole image below: no builder writes one, and
            // honouring it would only let a layer silently drop what the installer checks.
            if (dir.empty()) return refuse(path, "opaque whiteout of the image root");
            make_parents(m_nodes, path, ref);
            remove_lower(m_nodes, dir, false, ref.layer);
            return {};
        }
        if (base.starts_with(k_aufs_meta_prefix)) return {};
        const std::string_view name = base.substr(k_whiteout_prefix.size());
        if (name.empty() || name == "." || name == "..")
            return refuse(path, "whiteout names no file (it would remove its directory or "
                                "escape it)");
        remove_lower(m_nodes, join(dir, name), true, ref.layer);
        return {};
    }

    if (path.empty()) {
        if (entry.type != EntryType::directory)
            return refuse(".", "the image root can only be a directory");
        Node& root = m_nodes.at("");
        root.mode = entry.mode;
        root.content = ref;
        return {};
    }

    Node node;
    node.type = entry.type;
    node.mode = entry.mode;
    node.size = entry.type == EntryType::file ? entry.size : 0;
    node.content = ref;
    if (entry.type == EntryType::symlink) node.link_target = entry.link_target;
    if (entry.type == EntryType::hardlink) {
        // A hard link shares its target's inode: same content, same mode.
        const std::string& target = entry.link_target;
        if (target.empty() || !is_normalised_path(target))
            return refuse(path, "hard link to \"" + target + "\" points outside the image");
        auto it = m_nodes.find(target);
        if (it == m_nodes.end())
            return refuse(path, "hard link to \"" + target + "\", which is not in the image");
        if (it->second.type != EntryType::file)
            return refuse(path, "hard link to \"" + target + "\", which is not a regular file");
        node = it->second;
    }

    make_parents(m_nodes, path, ref);
    auto existing = m_nodes.find(path);
    if (existing != m_nodes.end()) {
        // The same path twice in one layer: which copy wins depends on the extractor (a checker
        // reading the first and an extractor writing the last disagree), so neither is trusted.
        // A directory named again is harmless and some writers do it.
        if (existing->second.content.layer == ref.layer && existing->second.content != ref &&
            !(existing->second.type == EntryType::directory && node.type == EntryType::directory))
            return refuse(path, "appears twice in layer " + std::to_string(ref.layer));
        if (existing->second.type == EntryType::directory) {
            if (node.type == EntryType::directory) {
                // A directory over a directory keeps what is inside.
                existing->second = node;
                return {};
            }
            auto [first, last] = subtree_range(m_nodes, path);
            m_nodes.erase(first, last);
        }
        existing->second = node;
        return {};
    }
    m_nodes.emplace(path, node);
    return {};
}

Result<std::string> ImageTree::resolve(std::string_view path) const {
    std::deque<std::string> todo;
    split_into(path, todo, false);
    std::vector<std::string> done;
    int links = 0;
    std::string current;
    while (!todo.empty()) {
        const std::string component = std::move(todo.front());
        todo.pop_front();
        if (component.empty() || component == ".") continue;
        if (component == "..") {
            // Never above the image root: "/.." is "/", as in a chroot.
            if (!done.empty()) done.pop_back();
            continue;
        }
        current.clear();
        for (const std::string& d : done) current = join(current, d);
        current = join(current, component);
        const Node* node = find(current);
        if (node == nullptr)
            return fail(ErrorCode::not_found, "\"" + std::string(path) + "\": \"" + current +
                                                  "\" is not in the image");
        if (node->type == EntryType::symlink) {
            if (++links > k_max_symlinks)
                return fail(ErrorCode::invalid_extension,
                            "\"" + std::string(path) + "\": more than " +
                                std::to_string(k_max_symlinks) +
                                " symbolic links on the way (a loop?)");
            if (node->link_target.empty())
                return fail(ErrorCode::not_found, "\"" + std::string(path) + "\": \"" + current +
                                                      "\" is a symbolic link to nothing");
            // Absolute targets start again at the image root.
            if (node->link_target.starts_with('/')) done.clear();
            split_into(node->link_target, todo, true);
            continue;
        }
        if (node->type != EntryType::directory) {
            const bool more = std::any_of(todo.begin(), todo.end(), [](const std::string& c) {
                return !c.empty() && c != ".";
            });
            if (more)
                return fail(ErrorCode::not_found, "\"" + std::string(path) + "\": \"" + current +
                                                      "\" is not a directory");
        }
        done.push_back(component);
    }
    std::string out;
    for (const std::string& d : done) out = join(out, d);
    return out;
}

std::vector<std::pair<std::string, const Node*>> ImageTree::descendants(
    std::string_view dir) const {
    std::vector<std::pair<std::string, const Node*>> out;
    auto [first, last] = subtree_range(m_nodes, dir);
    for (auto it = first; it != last; ++it) out.emplace_back(it->first, &it->second);
    return out;
}

}  // namespace deskext::layer
