#include "install/emulation_choice.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace deskext {

std::optional<platform::Platform> emulation_for(const platform::Platform& host,
                                                const platform::Platform& image_platform) {
    if (image_platform.arch != host.arch) return std::nullopt;
    return binfmt::emulated_platform(host);
}

bool belongs_to(std::string_view dest, std::string_view binary) {
    return dest == binary ||
           (dest.starts_with(binary) && dest.size() > binary.size() && dest[binary.size()] == '/');
}

bool wants_emulated_build(bool missing, const std::vector<binfmt::BinaryFormat>& formats,
                          const platform::Platform& host) {
    return missing || std::ranges::any_of(formats, [&](const auto& format) {
               return binfmt::fits(format, host) == binfmt::Fit::mismatch;
           });
}

bool runs_emulated(bool missing, const std::vector<binfmt::BinaryFormat>& formats,
                   const platform::Platform& emulated) {
    return !missing && std::ranges::none_of(formats, [&](const auto& format) {
        return binfmt::fits(format, emulated) == binfmt::Fit::mismatch;
    });
}

std::string why_not_emulated(std::string_view image_path, std::string_view other_variant,
                             bool has_variant, bool missing,
                             const std::vector<binfmt::BinaryFormat>& formats,
                             const platform::Platform& emulated) {
    if (!has_variant) return fmt::format("the image has no {} variant", other_variant);
    if (missing) return fmt::format("the {} image has no /{} either", other_variant, image_path);
    for (const auto& format : formats)
        if (binfmt::fits(format, emulated) == binfmt::Fit::mismatch)
            return fmt::format("/{} there is {} ({}), not {}", image_path, format.description,
                               binfmt::found_platform(format), platform::to_string(emulated));
    return fmt::format("/{} there does not run on {}", image_path, platform::to_string(emulated));
}

Error no_emulated_build(std::string_view image_path, std::string_view image_variant,
                        const platform::Platform& host, std::string_view other_variant,
                        std::string_view why) {
    return Error{
        ErrorCode::invalid_extension,
        fmt::format("host binary /{} is declared in metadata.json but missing from the {} "
                    "image, and no build of it from the {} image could run under "
                    "emulation on {}: {}",
                    image_path, image_variant, other_variant, platform::to_string(host), why)};
}

nlohmann::json emulated_binary_fields(std::string_view file, const binfmt::BinaryFormat& format,
                                      const platform::Platform& host,
                                      std::string_view image_variant,
                                      std::string_view other_variant, bool missing) {
    const std::string found = binfmt::found_platform(format);
    const std::string host_text = platform::to_string(host);
    const std::string reason =
        missing ? fmt::format("the {} image lacks it", image_variant)
                : fmt::format("the {} image carries a build that does not run on {}", image_variant,
                              host_text);
    return {
        {"message", fmt::format("{} is taken from the {} image ({}, {}) because {}: it runs "
                                "under emulation on {}",
                                file, other_variant, format.description, found, reason, host_text)},
        {"check", "binary_emulated"},
        {"file", file},
        {"expected", host_text},
        {"found", found},
        {"format", binfmt::kind_name(format.kind)},
        {"image_platform", other_variant}};
}

}  // namespace deskext
