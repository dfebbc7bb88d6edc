#include <fmt/format.h>

#include "commands.hpp"
#include "common_options.hpp"
#include "deskext/install/verify.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::cli {

Result<nlohmann::json> run_verify(const Args& args, Output& out) {
    DESKEXT_TRY(expect_positionals(args, 1, "NAME"));
    DESKEXT_TRY_ASSIGN(auto root, root_option(args));
    DESKEXT_TRY_ASSIGN(auto wait, wait_option(args));
    DESKEXT_TRY_ASSIGN(auto report,
                       verify_extension(root, args.positionals[0], wait, out.events()));

    nlohmann::json drift = nlohmann::json::array();
    std::string text;
    for (const auto& d : report.drift) {
        drift.push_back({{"path", d.path}, {"problem", d.problem}, {"detail", d.detail}});
        text += fmt::format("  {:<8} {}: {}\n", d.problem, d.path, d.detail);
    }
    const auto& s = report.state;
    out.events().emit("verified", {{"name", s.name},
                                   {"directory", platform::utf8_of(report.directory)},
                                   {"files", s.files.size()},
                                   {"drift", drift}});
    if (!report.drift.empty()) {
        out.summary(fmt::format("{} differs from what deskext installed:\n{}", s.name, text));
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} has drifted from its state record in {} file{} (first: {} "
                                "{}: {}); reinstall it with --force",
                                s.name, report.drift.size(), report.drift.size() == 1 ? "" : "s",
                                report.drift.front().problem, report.drift.front().path,
                                report.drift.front().detail));
    }
    out.summary(fmt::format("{} {} is intact ({} files)\n", s.name, s.version, s.files.size()));
    return nlohmann::json{
        {"command", "verify"}, {"name", s.name}, {"files", s.files.size()}, {"drift", drift}};
}

}  // namespace deskext::cli
