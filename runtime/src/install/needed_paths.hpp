#pragma once
// The image paths an install may take files from, known as soon as metadata.json has been read:
// the icon, the UI root, the compose file and this OS's host binaries, each with everything
// below it. A guess made before the merged tree exists, so that the single pass over the layers
// can write those files out as it meets them; a file reached only through a symlink is not
// covered and is read again afterwards (layer/single_pass.hpp).

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/layer/single_pass.hpp"
#include "deskext/limits.hpp"

namespace deskext {

class NeededPaths final : public layer::CandidateFilter {
public:
    NeededPaths(std::string host_os, const Limits& limits)
        : m_host_os(std::move(host_os)), m_limits(limits) {}

    // metadata.json that does not parse leaves nothing wanted: the install fails on it later.
    void captured(std::string_view path, std::string_view data) override;
    [[nodiscard]] bool wanted(std::string_view path) const override;
    // Wants `roots` (normalised image paths) and everything below them instead: what a read of
    // another variant for a few host binaries only needs, with nothing captured.
    void want(std::set<std::string, std::less<>> roots);

    [[nodiscard]] const std::set<std::string, std::less<>>& roots() const { return m_roots; }

private:
    std::string m_host_os;
    Limits m_limits;
    std::set<std::string, std::less<>> m_roots;  // normalised image paths
    // The roots as a tree of path components, so that asking about a path costs its length
    // once, not once per directory above it: node 0 is the image root; each node's children by
    // name (indexes into both vectors), and whether it is one of the roots.
    std::vector<std::map<std::string, std::size_t, std::less<>>> m_children;
    std::vector<bool> m_is_root;
};

}  // namespace deskext
