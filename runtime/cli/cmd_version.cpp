#include <fmt/format.h>

#include "commands.hpp"
#include "deskext/build_info.hpp"
#include "deskext/platform/platform.hpp"

namespace deskext::cli {

Result<nlohmann::json> run_version(const Args& args, Output& out) {
    DESKEXT_TRY(expect_positionals(args, 0, "nothing"));
    auto host = platform::to_string(platform::detect_host());
    auto build = platform::to_string(
        platform::make_platform(build_info::build_system, build_info::build_processor));
    out.summary(fmt::format("deskext {} (commit {})\nextension API {}\nbuilt for {}\nhost {}\n",
                            build_info::version, build_info::git_commit,
                            build_info::extension_api_version, build, host));
    return nlohmann::json{{"command", "version"},
                          {"version", build_info::version},
                          {"commit", build_info::git_commit},
                          {"extension_api_version", build_info::extension_api_version},
                          {"build_platform", build},
                          {"host_platform", host}};
}

}  // namespace deskext::cli
