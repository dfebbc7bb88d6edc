#pragma once

#include <cstddef>

namespace deskext::platform {

// Whether standard error is an interactive terminal (progress bars are drawn only there).
[[nodiscard]] bool stderr_is_terminal();

// The width in columns of the terminal standard error is on; 0 when it is none or does not say
// (a pseudo-terminal nobody sized).
[[nodiscard]] std::size_t stderr_terminal_columns();

}  // namespace deskext::platform
