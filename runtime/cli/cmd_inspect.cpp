#include <fmt/format.h>

#include "commands.hpp"
#include "common_options.hpp"
#include "deskext/qa/inspect.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::cli {

Result<nlohmann::json> run_inspect(const Args& args, Output& out) {
    DESKEXT_TRY(expect_positionals(args, 1, "SOURCE"));
    if (args.has("platform") && args.has("all-platforms"))
        return fail(ErrorCode::usage, "--platform and --all-platforms exclude each other");
    std::vector<platform::Platform> hosts;
    if (args.has("all-platforms")) {
        hosts = qa::host_platforms();
    } else {
        DESKEXT_TRY_ASSIGN(auto host, platform_option(args));
        hosts.push_back(std::move(host));
    }

    DESKEXT_TRY_ASSIGN(const auto sources, source_options(args));
    DESKEXT_TRY_ASSIGN(auto source, open_source(args.positionals[0], sources));
    // People get the table or the findings on stdout; the step line would say nothing more.
    if (out.json())
        out.events().emit("started", {{"command", "inspect"}, {"source", source->describe()}});
    DESKEXT_TRY_ASSIGN(auto inspection, qa::inspect_image(*source, hosts, sources.limits));

    nlohmann::json matrix = nlohmann::json::array();
    std::size_t mismatches = 0;
    for (const auto& p : inspection.platforms) {
        if (out.json()) out.events().emit("platform", qa::to_json(p));
        matrix.push_back(qa::matrix_row(p));
        mismatches += p.mismatches();
    }
    out.summary(qa::format_table(inspection));
    return nlohmann::json{{"command", "inspect"},
                          {"source", inspection.source},
                          {"index_digest", inspection.index_digest},
                          {"mismatches", mismatches},
                          {"matrix", std::move(matrix)}};
}

}  // namespace deskext::cli
