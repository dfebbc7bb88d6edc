#include "../common/exchange_fallback.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "deskext/platform/fs.hpp"
#include "deskext/platform/random_name.hpp"

namespace deskext::platform::detail {
namespace {

constexpr std::string_view parked_marker = ".swap-";

// ".<b's name>.swap-<random>" beside `b`, not existing yet. A collision is only possible if
// something else created the same random name in between; atomic_rename then fails and nothing
// is lost.
Result<std::filesystem::path> parked_sibling(const std::filesystem::path& b) {
    for (int attempt = 0; attempt < 16; ++attempt) {
        const std::string name =
            "." + b.filename().string() + std::string(parked_marker) + random_name();
        std::filesystem::path candidate = b.parent_path() / name;
        std::error_code ec;
        if (!std::filesystem::exists(std::filesystem::symlink_status(candidate, ec))) {
            return candidate;
        }
    }
    return std::unexpected(
        fs_error("pick a temporary name next to", b, std::make_error_code(std::errc::file_exists)));
}

}  // namespace

// b is parked first, under a name that says where it belongs: a crash after that leaves `b`
// missing and its content at the parked name, which recover_parked() puts back. A crash after
// a → b leaves the parked copy beside a complete `b`: recover_parked() removes it.
Result<void> exchange_by_renames(const std::filesystem::path& a, const std::filesystem::path& b) {
    DESKEXT_TRY_ASSIGN(const std::filesystem::path parked, parked_sibling(b));
    DESKEXT_TRY(atomic_rename(b, parked));
    if (auto moved = atomic_rename(a, b); !moved) {
        (void)atomic_rename(parked, b);
        return std::unexpected(std::move(moved).error());
    }
    if (auto moved = atomic_rename(parked, a); !moved) {
        // Put both back; should that fail too, the first error is still the one to act on.
        if (atomic_rename(b, a)) (void)atomic_rename(parked, b);
        return std::unexpected(std::move(moved).error());
    }
    return {};
}

}  // namespace deskext::platform::detail

namespace deskext::platform {

std::optional<std::string> parked_original(std::string_view name) {
    const auto marker = name.rfind(detail::parked_marker);
    if (!name.starts_with('.') || marker == std::string_view::npos || marker < 2) {
        return std::nullopt;
    }
    return std::string(name.substr(1, marker - 1));
}

Result<bool> recover_parked(const std::filesystem::path& parked) {
    const auto original = parked_original(parked.filename().string());
    if (!original) return false;
    const auto home = parked.parent_path() / *original;
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::symlink_status(home, ec))) {
        DESKEXT_TRY(remove_tree(parked));
        return false;
    }
    DESKEXT_TRY(atomic_rename(parked, home));
    return true;
}

}  // namespace deskext::platform
