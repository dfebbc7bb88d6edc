#include "cache/unflushed_entry.hpp"

#include <system_error>

#include "deskext/platform/fs.hpp"
#include "deskext/platform/random_name.hpp"

namespace deskext::cache {

Result<void> write_unflushed_entry(const std::filesystem::path& path, std::string_view data) {
    DESKEXT_TRY(platform::create_directories(path.parent_path()));
    const auto temp = path.parent_path() / (".tmp-" + platform::random_name());
    auto written = platform::write_file(temp, data);
    if (written) written = platform::atomic_rename(temp, path);
    if (!written) {
        std::error_code ec;
        std::filesystem::remove(temp, ec);
    }
    return written;
}

}  // namespace deskext::cache
