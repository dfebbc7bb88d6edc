#include "deskext/layer/image_tree.hpp"

#include <algorithm>

#include "layer/entry_path.hpp"

// Whiteouts and opaque directories as the OCI image spec defines them:
// https://github.com/opencontainers/image-spec/blob/main/layer.md#whiteouts
// A whiteout applies only to what lower layers left; what the same layer adds stays, wherever
// the whiteout appears in the archive ("Files that are present in the same layer as a whiteout
// file can only be hidden by whiteout files in subsequent layers").

namespace deskext::layer {

struct ImageTree::TreeNode {
    Node node;
    TreeNode* parent = nullptr;  // null for the root
    std::string name;            // its last component; "" for the root
    std::size_t path_bytes = 0;  // the length of its path
    // Keyed by the child's own name: a name is held once, however long.
    std::map<std::string_view, std::unique_ptr<TreeNode>> children;
};

namespace {

using TreeNode = ImageTree::TreeNode;

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

// Takes the first component off `text` ("a/b" → "a", leaving "b").
std::string_view next_component(std::string_view& text) {
    const std::size_t slash = text.find('/');
    const std::string_view component = text.substr(0, slash);
    text = slash == std::string_view::npos ? std::string_view{} : text.substr(slash + 1);
    return component;
}

// True when `text` still names a step: a component other than "" and ".".
bool more_steps(std::string_view text) {
    while (!text.empty()) {
        const std::string_view c = next_component(text);
        if (!c.empty() && c != ".") return true;
    }
    return false;
}

std::unexpected<Error> refuse(std::string_view path, std::string_view why) {
    return fail(ErrorCode::invalid_extension,
                "layer entry \"" + std::string(path) + "\": " + std::string(why));
}

const Node& implicit_root() {
    static const Node root{EntryType::directory, 0755, 0, {}, {}};
    return root;
}

std::size_t count_below(const TreeNode& node) {
    std::size_t n = 0;
    for (const auto& [name, child] : node.children) n += 1 + count_below(*child);
    return n;
}

}  // namespace

ImageTree::ImageTree() : ImageTree(Limits{}.max_path_bytes) {}
ImageTree::ImageTree(std::size_t max_path_bytes)
    : m_root(std::make_unique<TreeNode>()), m_max_path_bytes(max_path_bytes) {}
ImageTree::ImageTree(ImageTree&&) noexcept = default;
ImageTree& ImageTree::operator=(ImageTree&&) noexcept = default;
ImageTree::~ImageTree() = default;

std::string ImageTree::path_of(const TreeNode* node) const {
    std::string out(node->path_bytes, '/');
    for (std::size_t end = node->path_bytes; node->parent != nullptr; node = node->parent) {
        ++m_visits;
        end -= node->name.size();
        out.replace(end, node->name.size(), node->name);
        if (end > 0) --end;  // the slash before it
    }
    return out;
}

const TreeNode* ImageTree::locate(std::string_view path) const {
    const TreeNode* at = m_root.get();
    while (!path.empty()) {
        const std::string_view component = next_component(path);
        ++m_visits;
        if (component.empty()) return nullptr;
        auto it = at->children.find(component);
        if (it == at->children.end()) return nullptr;
        at = it->second.get();
    }
    return at;
}

const Node* ImageTree::find(std::string_view path) const {
    if (path.empty()) return m_has_root ? &m_root->node : &implicit_root();
    const TreeNode* at = locate(path);
    return at == nullptr ? nullptr : &at->node;
}

namespace {

// Removes what layers below `layer` left below `node` (and `node` itself when `include_self`).
// Nodes the same layer added stay, and so do the directories above them. Returns true when
// `node` stays.
bool remove_lower(TreeNode& node, bool include_self, std::size_t layer, std::size_t& count,
                  std::uint64_t& visits) {
    bool keep = !include_self || node.node.content.layer >= layer;
    for (auto it = node.children.begin(); it != node.children.end();) {
        ++visits;
        if (remove_lower(*it->second, true, layer, count, visits)) {
            keep = true;
            ++it;
        } else {
            --count;  // what was below it has gone already
            it = node.children.erase(it);
        }
    }
    return keep;
}

}  // namespace

Result<void> ImageTree::apply(const Entry& entry, EntryRef ref) {
    const std::string& path = entry.path;
    if (!is_normalised_path(path)) return refuse(path, "name is not a plain image path");
    if (!m_links.empty()) m_links = {};  // released, not cleared: clear() costs every bucket
    if (!m_has_root) {
        m_has_root = true;
        ++m_count;
        m_root->node = Node{EntryType::directory, 0755, 0, {}, ref};
    }
    DESKEXT_TRY(refuse_below_link(path));

    const std::string_view base = base_of(path);
    if (base.starts_with(k_whiteout_prefix)) return apply_whiteout(path, ref);
    if (path.empty()) {
        if (entry.type != EntryType::directory)
            return refuse(".", "the image root can only be a directory");
        m_root->node.mode = entry.mode;
        m_root->node.content = ref;
        return {};
    }
    DESKEXT_TRY_ASSIGN(Node node, node_for(entry, ref));
    replace_or_add(*make_parents(path, ref), base, std::move(node));
    return {};
}

// An entry below a symbolic link would be written through it by a naive extractor (umoci
// CVE-2021-29136): no builder writes one (a layer records files where they really are), so the
// first proper ancestor of `path` that is a link refuses the entry.
Result<void> ImageTree::refuse_below_link(std::string_view path) const {
    const TreeNode* at = m_root.get();
    std::string_view rest = path;
    while (rest.find('/') != std::string_view::npos) {
        const std::string_view component = next_component(rest);
        ++m_visits;
        auto it = at->children.find(component);
        if (it == at->children.end()) return {};
        at = it->second.get();
        if (at->node.type == EntryType::symlink)
            return refuse(path, "\"" + path_of(at) +
                                    "\" is a symbolic link; entries are never written "
                                    "through links");
    }
    return {};
}

ImageTree::TreeNode& ImageTree::add_child(TreeNode& parent, std::string_view name, Node node) {
    auto child = std::make_unique<TreeNode>();
    child->node = std::move(node);
    child->parent = &parent;
    child->name = std::string(name);
    child->path_bytes = (parent.parent == nullptr ? 0 : parent.path_bytes + 1) + name.size();
    ++m_count;
    const std::string_view key = child->name;
    return *parent.children.emplace(key, std::move(child)).first->second;
}

// Layers may name "a/b/c" without "a/" and "a/b/": the directories are implied. Something that
// was a file or a link becomes a directory, as extracting the layer over the lower ones would
// make it (a non-directory has nothing below it). Returns the parent of `path`.
ImageTree::TreeNode* ImageTree::make_parents(std::string_view path, EntryRef ref) {
    TreeNode* at = m_root.get();
    std::string_view rest = path;
    while (rest.find('/') != std::string_view::npos) {
        const std::string_view component = next_component(rest);
        ++m_visits;
        auto it = at->children.find(component);
        if (it == at->children.end()) {
            at = &add_child(*at, component, Node{EntryType::directory, 0755, 0, {}, ref});
            continue;
        }
        if (it->second->node.type != EntryType::directory)
            it->second->node = Node{EntryType::directory, 0755, 0, {}, ref};
        at = it->second.get();
    }
    return at;
}

// `.wh..wh..opq` hides what lower layers left in its directory; `.wh.NAME` removes NAME.
Result<void> ImageTree::apply_whiteout(std::string_view path, EntryRef ref) {
    const std::string_view base = base_of(path);
    const std::string_view dir = parent_of(path);
    if (base == k_opaque_marker) {
        // An opaque root would hide the whole image below: no builder writes one, and
        // honouring it would only let a layer silently drop what the installer checks.
        if (dir.empty()) return refuse(path, "opaque whiteout of the image root");
        remove_lower(*make_parents(path, ref), false, ref.layer, m_count, m_visits);
        return {};
    }
    if (base.starts_with(k_aufs_meta_prefix)) return {};
    const std::string_view name = base.substr(k_whiteout_prefix.size());
    if (name.empty() || name == "." || name == "..")
        return refuse(path, "whiteout names no file (it would remove its directory or "
                            "escape it)");
    TreeNode* parent = const_cast<TreeNode*>(locate(dir));
    if (parent == nullptr) return {};
    auto it = parent->children.find(name);
    if (it == parent->children.end()) return {};
    if (!remove_lower(*it->second, true, ref.layer, m_count, m_visits)) {
        --m_count;
        parent->children.erase(it);
    }
    return {};
}

// The node an entry makes. A hard link shares its target's inode: same content, same mode.
Result<Node> ImageTree::node_for(const Entry& entry, EntryRef ref) const {
    Node node;
    node.type = entry.type;
    node.mode = entry.mode;
    node.size = entry.type == EntryType::file ? entry.size : 0;
    node.content = ref;
    if (entry.type == EntryType::symlink) node.link_target = entry.link_target;
    if (entry.type != EntryType::hardlink) return node;
    const std::string& target = entry.link_target;
    if (target.empty() || !is_normalised_path(target))
        return refuse(entry.path, "hard link to \"" + target + "\" points outside the image");
    const TreeNode* found = locate(target);
    if (found == nullptr)
        return refuse(entry.path, "hard link to \"" + target + "\", which is not in the image");
    if (found->node.type != EntryType::file)
        return refuse(entry.path,
                      "hard link to \"" + target + "\", which is not a regular file");
    return found->node;
}

// The same path again, in this layer or a lower one: the later entry replaces it, as containerd
// applies a layer (every reader of the tree sees only the later one). A directory over a
// directory keeps what is inside.
void ImageTree::replace_or_add(TreeNode& parent, std::string_view base, Node node) {
    ++m_visits;
    auto existing = parent.children.find(base);
    if (existing == parent.children.end()) {
        add_child(parent, base, std::move(node));
        return;
    }
    Node& old = existing->second->node;
    if (old.type == EntryType::directory && node.type != EntryType::directory) {
        m_count -= count_below(*existing->second);
        existing->second->children.clear();
    }
    old = std::move(node);
}

// Walks `text` from directory `at`, following links, counting them in `links` (at most `limit`).
// Null on failure, with `failure` saying why.
const TreeNode* ImageTree::walk(const TreeNode* at, std::string_view text, int& links, int limit,
                                Failure& failure) const {
    while (!text.empty()) {
        const std::string_view component = next_component(text);
        if (component.empty() || component == ".") continue;
        ++m_visits;
        if (component == "..") {
            // Never above the image root: "/.." is "/", as in a chroot.
            if (at->parent != nullptr) at = at->parent;
            continue;
        }
        auto it = at->children.find(component);
        if (it == at->children.end()) {
            std::string missing = path_of(at);
            if (!missing.empty()) missing += '/';
            missing += component;
            failure = {ErrorCode::not_found, "\"" + missing + "\" is not in the image", false};
            return nullptr;
        }
        const TreeNode* next = it->second.get();
        if (next->node.type == EntryType::symlink) {
            if (++links > limit) {
                failure = {ErrorCode::invalid_extension, {}, true};
                return nullptr;
            }
            if (next->node.link_target.empty()) {
                failure = {ErrorCode::not_found,
                           "\"" + path_of(next) + "\" is a symbolic link to nothing", false};
                return nullptr;
            }
            next = follow(next, links, limit, failure);
            if (next == nullptr) return nullptr;
        }
        if (next->node.type != EntryType::directory && more_steps(text)) {
            failure = {ErrorCode::not_found, "\"" + path_of(next) + "\" is not a directory",
                       false};
            return nullptr;
        }
        at = next;
    }
    return at;
}

// Where symbolic link `link` leads, its resolution remembered until the tree changes: the walk
// of its target is the same wherever the link is met, only the links counted before it differ.
// `links` already counts `link`.
const TreeNode* ImageTree::follow(const TreeNode* link, int& links, int limit,
                                  Failure& failure) const {
    const int budget = limit - links;  // for the links on the way to its target
    auto known = m_links.find(link);
    if (known == m_links.end() || (known->second.failure.loop && known->second.limit < budget)) {
        LinkResolution found;
        found.limit = budget;
        const std::string& target = link->node.link_target;
        // Absolute targets start again at the image root.
        const TreeNode* from = target.starts_with('/') ? m_root.get() : link->parent;
        found.target = walk(from, target, found.links, budget, found.failure);
        known = m_links.insert_or_assign(link, std::move(found)).first;
    }
    const LinkResolution& resolution = known->second;
    links += resolution.links;
    if (resolution.failure.loop || links > limit) {
        failure = {ErrorCode::invalid_extension, {}, true};
        return nullptr;
    }
    if (resolution.target == nullptr) failure = resolution.failure;
    return resolution.target;
}

Result<std::string> ImageTree::resolve(std::string_view path) const {
    int links = 0;
    Failure failure;
    const TreeNode* found = walk(m_root.get(), path, links, k_max_symlinks, failure);
    if (found == nullptr) {
        if (failure.loop)
            return fail(ErrorCode::invalid_extension,
                        "\"" + std::string(path) + "\": more than " +
                            std::to_string(k_max_symlinks) +
                            " symbolic links on the way (a loop?)");
        return fail(failure.code, "\"" + std::string(path) + "\": " + failure.message);
    }
    if (found->path_bytes > m_max_path_bytes)
        return fail(ErrorCode::invalid_extension,
                    "\"" + std::string(path) + "\" resolves to a path of " +
                        std::to_string(found->path_bytes) + " bytes, longer than the cap of " +
                        std::to_string(m_max_path_bytes) + " bytes on a path in an image");
    return path_of(found);
}

namespace {

// Appends the nodes below `node` (whose path, with a slash after it unless it is the root, is
// `prefix`) in the order of their whole paths, as a map from path to node would hold them. A
// name sorts before its own children, but a sibling whose name continues it with a byte below
// '/' ("a.b" after "a") sorts between the two: each child is placed by its name for itself and
// by its name and a slash for what is below it.
void collect(const TreeNode& node, std::string& prefix,
             std::vector<std::pair<std::string, const Node*>>& out, std::uint64_t& visits) {
    std::vector<std::pair<std::string, const TreeNode*>> keys;  // name, or name + "/" for below
    for (const auto& [name, child] : node.children) {
        keys.emplace_back(name, nullptr);
        if (!child->children.empty()) keys.emplace_back(std::string(name) + "/", child.get());
    }
    std::sort(keys.begin(), keys.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [key, below] : keys) {
        ++visits;
        const std::size_t size = prefix.size();
        prefix += key;
        if (below == nullptr) {
            out.emplace_back(prefix, &node.children.find(key)->second->node);
        } else {
            collect(*below, prefix, out, visits);
        }
        prefix.resize(size);
    }
}

}  // namespace

std::vector<std::pair<std::string, const Node*>> ImageTree::descendants(
    std::string_view dir) const {
    std::vector<std::pair<std::string, const Node*>> out;
    const TreeNode* at = dir.empty() ? m_root.get() : locate(dir);
    if (at == nullptr) return out;
    std::string prefix = dir.empty() ? std::string{} : std::string(dir) + "/";
    collect(*at, prefix, out, m_visits);
    return out;
}

}  // namespace deskext::layer
