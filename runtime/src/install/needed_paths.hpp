#pragma once
// The image paths an install may take files from, known as soon as metadata.json has been read:
// the icon, the UI root, the compose file and this OS's host binaries, each with everything
// below it. A guess made before the merged tree exists, so that the single pass over the layers
// can write those files out as it meets them; a file reached only through a symlink is not
// covered and is read again afterwards (layer/single_pass.hpp).

#include <set>
#include <string>
#include <string_view>

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

    [[nodiscard]] const std::set<std::string, std::less<>>& roots() const { return m_roots; }

private:
    std::string m_host_os;
    Limits m_limits;
    std::set<std::string, std::less<>> m_roots;  // normalised image paths
};

}  // namespace deskext
