#include <fmt/format.h>

#include "commands.hpp"
#include "common_options.hpp"
#include "deskext/install/installer.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::cli {
namespace {

std::string short_digest(const std::string& digest) {
    auto colon = digest.find(':');
    return colon == std::string::npos ? digest : digest.substr(colon + 1, 12);
}

}  // namespace

Result<nlohmann::json> run_ls(const Args& args, Output& out) {
    DESKEXT_TRY(expect_positionals(args, 0, "nothing"));
    DESKEXT_TRY_ASSIGN(auto root, root_option(args));
    DESKEXT_TRY_ASSIGN(auto listed, list_extensions(root));

    nlohmann::json extensions = nlohmann::json::array();
    std::string table = fmt::format("{:<40} {:<12} {:<12} {:<14} {:<20} {:<20} {}\n", "NAME",
                                    "VERSION", "DIGEST", "PLATFORM", "INSTALLED", "BINARIES",
                                    "SOURCE");
    for (const auto& item : listed) {
        if (!item.state) {
            extensions.push_back(
                {{"name", item.name}, {"broken", true}, {"problem", item.problem}});
            table += fmt::format("{:<40} BROKEN: {}\n", item.name, item.problem);
            continue;
        }
        const auto& s = *item.state;
        // Named by its directory, which every command takes, whatever its record says.
        extensions.push_back({{"name", item.name},
                              {"broken", false},
                              {"version", s.version},
                              {"image", s.image},
                              {"manifest_digest", s.manifest_digest},
                              {"platform", s.platform},
                              {"image_platform", s.image_platform},
                              {"installed_at", s.installed_at},
                              {"binaries", s.binaries},
                              {"source", s.source}});
        std::string binaries;
        for (const auto& b : s.binaries) binaries += (binaries.empty() ? "" : ",") + b.substr(5);
        table += fmt::format("{:<40} {:<12} {:<12} {:<14} {:<20} {:<20} {}\n", item.name,
                             s.version.empty() ? "-" : s.version, short_digest(s.manifest_digest),
                             s.platform, s.installed_at, binaries.empty() ? "-" : binaries,
                             s.source.empty() ? "-" : s.source);
    }
    out.summary(table);
    return nlohmann::json{
        {"command", "ls"}, {"root", platform::utf8_of(root)}, {"extensions", extensions}};
}

}  // namespace deskext::cli
