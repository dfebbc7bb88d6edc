#include "install/binary_checks.hpp"

#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "deskext/platform/utf8.hpp"

namespace deskext {
namespace {

Result<std::string> read_head(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string head(binfmt::header_bytes, '\0');
    if (in) in.read(head.data(), static_cast<std::streamsize>(head.size()));
    if (!in && !in.eof())
        return fail(ErrorCode::filesystem, fmt::format("cannot read {}", platform::utf8_of(path)));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return head;
}

}  // namespace

platform::Platform binaries_platform(const platform::Platform& host,
                                     const platform::Platform& image_platform) {
    if (auto emulated = binfmt::emulated_platform(host);
        emulated && image_platform.arch == emulated->arch)
        return *emulated;
    return platform::make_platform(host.os, host.arch);
}

nlohmann::json binary_mismatch_fields(std::string_view file, const binfmt::BinaryFormat& format,
                                      const platform::Platform& expected) {
    const std::string expected_text = platform::to_string(expected);
    const std::string found = binfmt::found_platform(format);
    return {{"message", fmt::format("{} is {} ({}), which does not run on {}", file,
                                    format.description, found, expected_text)},
            {"check", "binary_platform"},
            {"file", file},
            {"expected", expected_text},
            {"found", found},
            {"format", binfmt::kind_name(format.kind)}};
}

Result<std::vector<StagedBinary>> staged_formats(const std::filesystem::path& stage,
                                                 const InstallPlan& plan) {
    std::vector<StagedBinary> staged;
    for (const auto& file : plan.files) {
        if (!file.dest.starts_with("host/")) continue;
        DESKEXT_TRY_ASSIGN(const auto head, read_head(stage / platform::path_from_utf8(file.dest)));
        staged.push_back({file.dest, binfmt::detect_format(head, file.dest)});
    }
    return staged;
}

Result<void> check_staged_binaries(const std::vector<StagedBinary>& staged,
                                   const platform::Platform& expected, bool strict,
                                   EventSink& events) {
    std::vector<std::string> mismatched;
    for (const auto& [dest, format] : staged) {
        if (binfmt::fits(format, expected) != binfmt::Fit::mismatch) continue;
        events.emit("warning", binary_mismatch_fields(dest, format, expected));
        mismatched.push_back(fmt::format("{} ({})", dest, binfmt::found_platform(format)));
    }
    if (strict && !mismatched.empty())
        return fail(ErrorCode::invalid_extension,
                    fmt::format("--strict: {} host binar{} not built for {}: {}", mismatched.size(),
                                mismatched.size() == 1 ? "y is" : "ies are",
                                platform::to_string(expected), fmt::join(mismatched, ", ")));
    return {};
}

}  // namespace deskext
