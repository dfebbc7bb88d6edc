// validate on an image: both linux variants, their labels, metadata.json, declared paths and the
// host binaries' headers for every host platform each variant serves.

#include "deskext/qa/validate.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "deskext/binfmt/binary_format.hpp"
#include "deskext/build_info.hpp"
#include "deskext/extension/metadata.hpp"
#include "deskext/install/install_plan.hpp"
#include "deskext/install/resolve_image.hpp"
#include "deskext/layer/layer_scan.hpp"
#include "qa/host_files.hpp"

namespace deskext::qa {
namespace {

constexpr std::string_view metadata_path = "metadata.json";
constexpr const char* host_oses[] = {"darwin", "windows", "linux"};

// Collects findings; the same finding seen for several platforms is kept once, listing them.
class Findings {
public:
    void add(Finding finding, const std::string& platform) {
        for (auto& existing : m_findings) {
            if (existing.severity != finding.severity || existing.code != finding.code ||
                existing.message != finding.message || existing.fix != finding.fix)
                continue;
            if (std::ranges::find(existing.platforms, platform) == existing.platforms.end())
                existing.platforms.push_back(platform);
            return;
        }
        finding.platforms = {platform};
        m_findings.push_back(std::move(finding));
    }
    void add_all(std::vector<Finding> findings, const std::string& platform) {
        for (auto& f : findings) add(std::move(f), platform);
    }
    std::vector<Finding> take() && {
        std::ranges::stable_partition(
            m_findings, [](const Finding& f) { return f.severity == Severity::error; });
        return std::move(m_findings);
    }

private:
    std::vector<Finding> m_findings;
};

bool is_about_the_image(const Error& error) {
    return error.code == ErrorCode::invalid_extension ||
           error.code == ErrorCode::no_matching_platform;
}

// Declared paths present, of the right kind, in one variant.
bool check_paths(const layer::ImageTree& tree, const extension::Metadata& metadata,
                 const std::string& variant, const std::string& arch, Findings& out) {
    bool all_present = true;
    const auto check = [&](const std::string& path, std::string_view what, layer::EntryType wanted,
                           bool any_kind, std::vector<std::string> hosts,
                           std::string_view consequence) {
        auto resolved = tree.resolve(path);
        const layer::Node* node = resolved ? tree.find(*resolved) : nullptr;
        const std::string platform = hosts.empty() ? variant : hosts.front();
        if (node == nullptr) {
            all_present = false;
            out.add({Severity::error,
                     "missing_path",
                     fmt::format("{} /{} is declared in metadata.json but missing from the {} "
                                 "image{}",
                                 what, path, variant, consequence),
                     fmt::format("add /{} to the {} image, or correct the path in metadata.json",
                                 path, variant),
                     {}},
                    platform);
        } else if (!any_kind && node->type != wanted) {
            all_present = false;
            out.add(
                {Severity::error,
                 "wrong_kind",
                 fmt::format("{} /{} in the {} image is not a {}", what, path, variant,
                             wanted == layer::EntryType::directory ? "directory" : "regular file"),
                 fmt::format("make /{} a {}", path,
                             wanted == layer::EntryType::directory ? "directory" : "file"),
                 {}},
                platform);
        }
    };
    if (metadata.icon) check(*metadata.icon, "icon", layer::EntryType::file, false, {}, "");
    if (metadata.dashboard_tab)
        check(metadata.dashboard_tab->root, "UI root", layer::EntryType::directory, false, {}, "");
    if (metadata.vm && metadata.vm->composefile)
        check(*metadata.vm->composefile, "compose file", layer::EntryType::file, false, {}, "");
    for (const auto& [os, entries] : metadata.host_binaries) {
        const std::string host = os + "/" + arch;
        for (const auto& entry : entries)
            check(entry.path, fmt::format("host binary (host.binaries {})", os),
                  layer::EntryType::file, true, {host},
                  fmt::format(": {} hosts cannot install the extension", host));
    }
    return all_present;
}

Finding mismatch_finding(const InspectedBinary& file, const std::string& variant,
                         const platform::Platform& expected) {
    const std::string host = platform::to_string(expected);
    const std::string found = binfmt::found_platform(file.format);
    const bool wrong_os = file.format.os != expected.os;
    return {Severity::error,
            "binary_platform_mismatch",
            fmt::format("{} (declared as /{}) in the {} image is {} ({}): {} hosts cannot run it",
                        file.file, file.image_path, variant, file.format.description, found, host),
            wrong_os ? fmt::format("declare the {} build of the program for {}", expected.os,
                                   expected.os)
                     : fmt::format("put the {} build at /{} in the {} image (build it per "
                                   "TARGETARCH){}",
                                   host, file.image_path, variant,
                                   expected.os == "darwin" ? ", or a universal binary" : ""),
            {}};
}

// The variant's merged tree, with metadata.json captured; none, with a finding said, when the
// image itself is unusable or is not an extension.
Result<std::optional<layer::ScanResult>> scan_variant(ImageSource& source,
                                                      const ResolvedImage& image,
                                                      const Limits& limits, Findings& out,
                                                      const std::string& variant) {
    auto scan =
        layer::scan_layers(source, image.manifest, {std::string(metadata_path)}, limits, {});
    if (!scan) {
        if (!is_about_the_image(scan.error())) return std::unexpected(scan.error());
        out.add({Severity::error,
                 "invalid_image",
                 scan.error().message,
                 "rebuild the image with a standard builder",
                 {}},
                variant);
        return std::nullopt;
    }
    if (!scan->captured.contains(metadata_path)) {
        out.add({Severity::error,
                 "missing_metadata",
                 fmt::format("the {} image has no /metadata.json: not a Docker Desktop extension",
                             variant),
                 "COPY metadata.json to the image root",
                 {}},
                variant);
        return std::nullopt;
    }
    return std::move(*scan);
}

using HostPlans = std::vector<std::pair<std::string, InstallPlan>>;

// What each host OS would install from the variant; a plan the image cannot satisfy is a
// finding (unless check_paths has said it already).
Result<HostPlans> plan_hosts(const layer::ImageTree& tree, const extension::Metadata& metadata,
                             const std::string& variant, const std::string& arch, bool paths_ok,
                             Findings& out) {
    HostPlans plans;
    for (const char* os : host_oses) {
        auto plan = plan_install(tree, metadata, os, variant);
        if (plan) {
            plans.emplace_back(os, std::move(*plan));
        } else if (!is_about_the_image(plan.error())) {
            return std::unexpected(plan.error());
        } else if (paths_ok) {
            out.add({Severity::error,
                     "invalid_plan",
                     plan.error().message,
                     "correct metadata.json or the image as the message says",
                     {}},
                    std::string(os) + "/" + arch);
        }
    }
    return plans;
}

// The headers of every host binary the plans install, checked against each host.
Result<void> check_host_binaries(ImageSource& source, const ResolvedImage& image,
                                 const HostPlans& plans, const extension::Metadata& metadata,
                                 const Limits& limits, Findings& out) {
    const std::string variant = platform::to_string(image.image_platform);
    std::vector<layer::EntryRef> refs;
    for (const auto& [os, plan] : plans) {
        auto more = detail::host_file_entries(plan);
        refs.insert(refs.end(), more.begin(), more.end());
    }
    if (refs.empty()) return {};
    DESKEXT_TRY_ASSIGN(auto heads, layer::read_entry_heads(source, image.manifest, refs,
                                                           binfmt::header_bytes, limits));
    for (const auto& [os, plan] : plans) {
        const auto expected = platform::make_platform(os, image.image_platform.arch);
        for (const auto& file : detail::classify_host_files(plan, metadata, os, heads, expected)) {
            if (file.fit == binfmt::Fit::mismatch)
                out.add(mismatch_finding(file, variant, expected), platform::to_string(expected));
        }
    }
    return {};
}

Result<void> validate_variant(ImageSource& source, const ResolvedImage& image, const Limits& limits,
                              Findings& out, std::optional<std::string>& metadata_text) {
    const std::string variant = platform::to_string(image.image_platform);
    const std::string& arch = image.image_platform.arch;
    out.add_all(check_labels(image.config.labels, build_info::extension_api_version), variant);

    DESKEXT_TRY_ASSIGN(auto scan, scan_variant(source, image, limits, out, variant));
    if (!scan) return {};
    const std::string& text = scan->captured.find(metadata_path)->second;
    metadata_text = text;
    out.add_all(check_metadata(text, limits), variant);
    auto metadata = extension::parse_metadata(text, limits);
    if (!metadata) return {};  // check_metadata has said why

    const bool paths_ok = check_paths(scan->tree, *metadata, variant, arch, out);
    DESKEXT_TRY_ASSIGN(auto plans, plan_hosts(scan->tree, *metadata, variant, arch, paths_ok, out));
    return check_host_binaries(source, image, plans, *metadata, limits, out);
}

}  // namespace

std::string_view severity_name(Severity severity) {
    return severity == Severity::error ? "error" : "warning";
}

std::size_t Validation::errors() const {
    return static_cast<std::size_t>(std::ranges::count_if(
        findings, [](const Finding& f) { return f.severity == Severity::error; }));
}

std::size_t Validation::warnings() const { return findings.size() - errors(); }

Result<Validation> validate_image(ImageSource& source, const Limits& limits) {
    Validation validation;
    validation.source = source.describe();
    Findings out;
    std::map<std::string, std::string> metadata_texts;  // variant → metadata.json
    for (const char* arch : {"amd64", "arm64"}) {
        const auto wanted = platform::make_platform("linux", arch);
        const std::string variant = platform::to_string(wanted);
        NullSink quiet;
        auto image = resolve_image(source, wanted, false, limits, quiet);
        if (!image) {
            if (!is_about_the_image(image.error())) return std::unexpected(image.error());
            if (image.error().code == ErrorCode::no_matching_platform)
                out.add({Severity::error,
                         "missing_platform",
                         fmt::format("no {} variant: {} ({} hosts cannot install the extension)",
                                     variant, image.error().message, arch),
                         "build and push both variants: docker buildx build --platform "
                         "linux/amd64,linux/arm64 --push ...",
                         {}},
                        variant);
            else
                out.add({Severity::error,
                         "invalid_image",
                         image.error().message,
                         "rebuild and push the image with a standard builder",
                         {}},
                        variant);
            continue;
        }
        std::optional<std::string> text;
        DESKEXT_TRY(validate_variant(source, *image, limits, out, text));
        if (text) metadata_texts.emplace(variant, std::move(*text));
    }
    if (metadata_texts.size() == 2 &&
        metadata_texts.begin()->second != std::next(metadata_texts.begin())->second)
        out.add({Severity::warning,
                 "metadata_differs",
                 "metadata.json differs between the linux/amd64 and linux/arm64 images",
                 "copy one metadata.json into every variant; let only the binaries differ",
                 {}},
                "linux/amd64");
    validation.findings = std::move(out).take();
    return validation;
}

nlohmann::json to_json(const Finding& finding) {
    return {{"severity", severity_name(finding.severity)},
            {"code", finding.code},
            {"message", finding.message},
            {"fix", finding.fix},
            {"platforms", finding.platforms}};
}

std::string format_findings(const Validation& validation) {
    std::string out;
    for (const auto& f : validation.findings) {
        out +=
            fmt::format("{:<8} {}: {}{}\n", severity_name(f.severity), f.code, f.message,
                        f.platforms.empty() ? std::string()
                                            : fmt::format(" [{}]", fmt::join(f.platforms, ", ")));
        out += fmt::format("{:<8} fix: {}\n", "", f.fix);
    }
    out += fmt::format("{}: {} error{}, {} warning{}\n", validation.source, validation.errors(),
                       validation.errors() == 1 ? "" : "s", validation.warnings(),
                       validation.warnings() == 1 ? "" : "s");
    return out;
}

}  // namespace deskext::qa
