#include "../common/exchange_fallback.hpp"

#include <string>
#include <system_error>

#include "deskext/platform/fs.hpp"
#include "deskext/platform/random_name.hpp"

namespace deskext::platform::detail {
namespace {

// A name next to `a` that does not exist yet. A collision is only possible if something else
// created the same random name in between; atomic_rename then fails and nothing is lost.
Result<std::filesystem::path> free_sibling(const std::filesystem::path& a) {
    for (int attempt = 0; attempt < 16; ++attempt) {
        std::filesystem::path name = a.filename();
        name += ".swap-" + random_name();
        std::filesystem::path candidate = a.parent_path() / name;
        std::error_code ec;
        if (!std::filesystem::exists(std::filesystem::symlink_status(candidate, ec))) {
            return candidate;
        }
    }
    return std::unexpected(
        fs_error("pick a temporary name next to", a, std::make_error_code(std::errc::file_exists)));
}

}  // namespace

Result<void> exchange_by_renames(const std::filesystem::path& a, const std::filesystem::path& b) {
    DESKEXT_TRY_ASSIGN(const std::filesystem::path parked, free_sibling(a));
    DESKEXT_TRY(atomic_rename(a, parked));
    if (auto moved = atomic_rename(b, a); !moved) {
        (void)atomic_rename(parked, a);
        return std::unexpected(std::move(moved).error());
    }
    if (auto moved = atomic_rename(parked, b); !moved) {
        // Put both back; should that fail too, the first error is still the one to act on.
        if (atomic_rename(a, b)) (void)atomic_rename(parked, a);
        return std::unexpected(std::move(moved).error());
    }
    return {};
}

}  // namespace deskext::platform::detail
