#include "layer/entry_budget.hpp"

#include <fmt/format.h>

namespace deskext::layer {

Result<void> EntryBudget::spend(std::size_t entries, std::size_t name_bytes) {
    if ((m_entries += entries) > m_limits.max_image_entries)
        return fail(ErrorCode::invalid_extension,
                    fmt::format("the image's layers hold more than {} entries (raise with "
                                "--max-entries)",
                                m_limits.max_image_entries));
    if ((m_name_bytes += name_bytes) > m_limits.max_name_bytes)
        return fail(ErrorCode::invalid_extension,
                    fmt::format("the names and link targets of the image's entries take more "
                                "than {} bytes (raise with --max-names-size)",
                                m_limits.max_name_bytes));
    return {};
}

}  // namespace deskext::layer
