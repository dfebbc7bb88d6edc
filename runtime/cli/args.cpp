#include "args.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace deskext::cli {

std::optional<std::string> Args::value(std::string_view name) const {
    auto it = options.find(name);
    if (it == options.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> Args::values(std::string_view name) const {
    auto it = options.find(name);
    return it == options.end() ? std::vector<std::string>{} : it->second;
}

Result<Args> parse_args(std::span<const std::string> argv, std::span<const OptionSpec> specs) {
    Args args;
    bool only_positionals = false;
    for (std::size_t i = 0; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (only_positionals || !arg.starts_with("--") || arg == "-") {
            if (!only_positionals && arg.starts_with('-') && arg != "-")
                return fail(ErrorCode::usage, fmt::format("unknown option {}", arg));
            args.positionals.push_back(arg);
            continue;
        }
        if (arg == "--") {
            only_positionals = true;
            continue;
        }
        std::string_view body = std::string_view(arg).substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = body.find('='); eq != std::string_view::npos) {
            inline_value = std::string(body.substr(eq + 1));
            body = body.substr(0, eq);
        }
        auto spec = std::find_if(specs.begin(), specs.end(),
                                 [&](const OptionSpec& s) { return s.name == body; });
        if (spec == specs.end())
            return fail(ErrorCode::usage, fmt::format("unknown option --{}", body));
        std::string value;
        if (spec->takes_value) {
            if (inline_value) {
                value = *inline_value;
            } else if (i + 1 < argv.size()) {
                value = argv[++i];
            } else {
                return fail(ErrorCode::usage, fmt::format("option --{} needs a value", body));
            }
        } else if (inline_value) {
            if (!spec->optional_value)
                return fail(ErrorCode::usage, fmt::format("option --{} takes no value", body));
            value = *inline_value;
        }
        auto& slot = args.options[std::string(body)];
        if (!slot.empty() && !spec->repeatable)
            return fail(ErrorCode::usage, fmt::format("option --{} given twice", body));
        slot.push_back(std::move(value));
    }
    return args;
}

Result<void> expect_positionals(const Args& args, std::size_t count, std::string_view what) {
    if (args.positionals.size() == count) return {};
    if (args.positionals.size() < count)
        return fail(ErrorCode::usage, fmt::format("missing {}", what));
    return fail(ErrorCode::usage, fmt::format("unexpected argument {}", args.positionals[count]));
}

}  // namespace deskext::cli
