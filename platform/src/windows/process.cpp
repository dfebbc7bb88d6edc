// run_helper() on Windows: not implemented by this build; credential helpers are reported as
// unavailable so that `auths` entries and anonymous access still work.

#include "deskext/platform/process.hpp"

namespace deskext::platform {

Result<HelperOutput> run_helper(const std::vector<std::string>& argv, const std::string&,
                                std::size_t, std::chrono::milliseconds) {
    return fail(ErrorCode::not_found,
                (argv.empty() ? std::string("helper") : argv[0]) +
                    ": credential helpers are not supported on Windows by this build");
}

}  // namespace deskext::platform
