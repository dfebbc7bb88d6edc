#pragma once
// Command-line parsing shared by the commands: options as `--name value` or `--name=value`,
// flags as `--name`, everything else positional. Unknown options are usage errors.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::cli {

struct OptionSpec {
    std::string_view name;  // without the dashes
    bool takes_value = false;
    bool repeatable = false;
    bool optional_value = false;  // a flag that may carry a value inline: --wait or --wait=30
};

struct Args {
    std::vector<std::string> positionals;
    std::map<std::string, std::vector<std::string>, std::less<>> options;

    [[nodiscard]] bool has(std::string_view name) const { return options.contains(name); }
    [[nodiscard]] std::optional<std::string> value(std::string_view name) const;
    [[nodiscard]] std::vector<std::string> values(std::string_view name) const;
};

[[nodiscard]] Result<Args> parse_args(std::span<const std::string> argv,
                                      std::span<const OptionSpec> specs);

// Fails unless exactly `count` positionals were given; `what` names them ("SOURCE").
[[nodiscard]] Result<void> expect_positionals(const Args& args, std::size_t count,
                                              std::string_view what);

}  // namespace deskext::cli
