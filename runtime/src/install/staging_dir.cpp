#include "install/staging_dir.hpp"

#include <string>

#include "deskext/platform/fs.hpp"

namespace deskext {

std::string StagingDir::prefix(std::string_view name) {
    return "." + std::string(name) + ".staging-";
}

Result<StagingDir> StagingDir::create(const std::filesystem::path& root, std::string_view name) {
    DESKEXT_TRY_ASSIGN(auto path, platform::make_unique_dir(root, prefix(name)));
    return StagingDir(std::move(path));
}

StagingDir::StagingDir(StagingDir&& other) noexcept : m_path(std::move(other.m_path)) {
    other.m_path.clear();
}

StagingDir::~StagingDir() {
    // Best effort: a staging directory that cannot be removed now is removed by the next run.
    if (!m_path.empty()) (void)platform::remove_tree(m_path);
}

}  // namespace deskext
