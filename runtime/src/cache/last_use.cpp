#include "cache/last_use.hpp"

#include <system_error>

namespace deskext::cache {

void mark_used(const std::filesystem::path& entry) {
    std::error_code ec;
    std::filesystem::last_write_time(entry, std::filesystem::file_time_type::clock::now(), ec);
}

}  // namespace deskext::cache
