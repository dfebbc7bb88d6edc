#include "common_options.hpp"

#include <fmt/format.h>

#include "deskext/platform/paths.hpp"

namespace deskext::cli {

Result<std::filesystem::path> root_option(const Args& args) {
    return platform::extensions_root(args.value("root").value_or(""));
}

Result<platform::Platform> platform_option(const Args& args) {
    auto text = args.value("platform");
    if (!text) return platform::detect_host();
    DESKEXT_TRY_ASSIGN(auto parsed, platform::parse_platform(*text));
    if (parsed.os != "darwin" && parsed.os != "windows" && parsed.os != "linux")
        return fail(
            ErrorCode::usage,
            fmt::format("--platform {}: Docker Desktop hosts are darwin, windows or linux", *text));
    return parsed;
}

}  // namespace deskext::cli
