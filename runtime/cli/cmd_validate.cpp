#include <fmt/format.h>

#include "commands.hpp"
#include "common_options.hpp"
#include "deskext/qa/validate.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::cli {

Result<nlohmann::json> run_validate(const Args& args, Output& out) {
    DESKEXT_TRY(expect_positionals(args, 1, "SOURCE"));
    DESKEXT_TRY_ASSIGN(const auto sources, source_options(args));
    DESKEXT_TRY_ASSIGN(auto source, open_source(args.positionals[0], sources));
    // People get the table or the findings on stdout; the step line would say nothing more.
    if (out.json())
        out.events().emit("started", {{"command", "validate"}, {"source", source->describe()}});
    DESKEXT_TRY_ASSIGN(auto validation, qa::validate_image(*source, sources.limits));
    if (out.json()) {
        for (const auto& finding : validation.findings)
            out.events().emit("finding", qa::to_json(finding));
    }
    out.summary(qa::format_findings(validation));
    if (validation.errors() > 0)
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} does not validate: {} error{}, {} warning{}", validation.source,
                                validation.errors(), validation.errors() == 1 ? "" : "s",
                                validation.warnings(), validation.warnings() == 1 ? "" : "s"));
    return nlohmann::json{{"command", "validate"},
                          {"source", validation.source},
                          {"errors", 0},
                          {"warnings", validation.warnings()}};
}

}  // namespace deskext::cli
