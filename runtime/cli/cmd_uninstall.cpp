#include <fmt/format.h>

#include "cache_settings.hpp"
#include "commands.hpp"
#include "common_options.hpp"
#include "deskext/install/installer.hpp"

namespace deskext::cli {

Result<nlohmann::json> run_uninstall(const Args& args, Output& out) {
    DESKEXT_TRY(expect_positionals(args, 1, "NAME"));
    DESKEXT_TRY_ASSIGN(auto root, root_option(args));
    DESKEXT_TRY_ASSIGN(auto wait, wait_option(args));
    DESKEXT_TRY_ASSIGN(const auto cache, cache_settings());
    DESKEXT_TRY_ASSIGN(auto state,
                       uninstall_extension(root, args.positionals[0], out.events(), wait));
    prune_after_change(cache, root, out.events());
    out.summary(fmt::format("removed {} {}\n", state.name, state.version));
    return nlohmann::json{{"command", "uninstall"}, {"name", state.name}};
}

}  // namespace deskext::cli
