#pragma once
// The commands of docs/cli.md. Each parses its arguments, calls the library and returns the
// fields of its "result" event; main() maps errors to exit codes.

#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "args.hpp"
#include "output.hpp"

namespace deskext::cli {

struct Command {
    std::string_view name;
    std::string_view usage;    // one line, after "deskext "
    std::string_view summary;  // what it does
    std::span<const OptionSpec> options;
    Result<nlohmann::json> (*run)(const Args& args, Output& out);
};

Result<nlohmann::json> run_install(const Args& args, Output& out);
Result<nlohmann::json> run_update(const Args& args, Output& out);
Result<nlohmann::json> run_uninstall(const Args& args, Output& out);
Result<nlohmann::json> run_ls(const Args& args, Output& out);
Result<nlohmann::json> run_inspect(const Args& args, Output& out);
Result<nlohmann::json> run_validate(const Args& args, Output& out);
Result<nlohmann::json> run_verify(const Args& args, Output& out);
Result<nlohmann::json> run_export(const Args& args, Output& out);
Result<nlohmann::json> run_version(const Args& args, Output& out);
Result<nlohmann::json> run_cache(const Args& args, Output& out);

// The table main() dispatches on (also the source of `deskext help`).
[[nodiscard]] std::span<const Command> commands();

}  // namespace deskext::cli
