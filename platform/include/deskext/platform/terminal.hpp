#pragma once

namespace deskext::platform {

// Whether standard error is an interactive terminal (progress bars are drawn only there).
[[nodiscard]] bool stderr_is_terminal();

}  // namespace deskext::platform
