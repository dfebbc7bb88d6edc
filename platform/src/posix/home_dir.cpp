#include "../posix/home_dir.hpp"

#include "../common/env.hpp"

namespace deskext::platform::detail {

Result<std::filesystem::path> home_dir() {
    auto home = env_path("HOME");
    if (!home) {
        return fail(ErrorCode::usage,
                    "cannot find the home directory (HOME is not set): pass --root or set "
                    "DESKEXT_ROOT");
    }
    if (home->is_relative()) {
        return fail(ErrorCode::usage, "HOME is not an absolute path (\"" + home->string() +
                                          "\"): pass --root or set DESKEXT_ROOT");
    }
    return *std::move(home);
}

}  // namespace deskext::platform::detail
