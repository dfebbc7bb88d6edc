#include "cache/unflushed_entry.hpp"

#include <random>
#include <system_error>

#include <fmt/format.h>

#include "deskext/platform/fs.hpp"

namespace deskext::cache {

Result<void> write_unflushed_entry(const std::filesystem::path& path, std::string_view data) {
    DESKEXT_TRY(platform::create_directories(path.parent_path()));
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    const auto temp = path.parent_path() / fmt::format(".tmp-{:016x}", rng());
    auto written = platform::write_file(temp, data);
    if (written) written = platform::atomic_rename(temp, path);
    if (!written) {
        std::error_code ec;
        std::filesystem::remove(temp, ec);
    }
    return written;
}

}  // namespace deskext::cache
