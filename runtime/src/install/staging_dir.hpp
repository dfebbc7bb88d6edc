#pragma once
// A staging directory inside the extensions root (so the final rename never crosses file
// systems), removed with everything in it when it goes out of scope unless released. After an
// exchange it holds the previous version, which is then removed the same way.

#include <filesystem>
#include <string_view>

#include "deskext/error.hpp"

namespace deskext {

class StagingDir {
public:
    // Creates <root>/.<name>.staging-<random>.
    [[nodiscard]] static Result<StagingDir> create(const std::filesystem::path& root,
                                                   std::string_view name);
    StagingDir(StagingDir&& other) noexcept;
    StagingDir& operator=(StagingDir&&) = delete;
    StagingDir(const StagingDir&) = delete;
    StagingDir& operator=(const StagingDir&) = delete;
    ~StagingDir();

    [[nodiscard]] const std::filesystem::path& path() const { return m_path; }
    // The directory was renamed away: nothing is left to remove.
    void release() { m_path.clear(); }

    // The prefix every staging directory of `name` starts with.
    [[nodiscard]] static std::string prefix(std::string_view name);

private:
    explicit StagingDir(std::filesystem::path path) : m_path(std::move(path)) {}
    std::filesystem::path m_path;
};

}  // namespace deskext
