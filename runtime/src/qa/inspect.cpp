// inspect: what every host would get, found the way install finds it (resolve_image,
// scan_layers, plan_install), with the host binaries' headers read instead of extracted.

#include "deskext/qa/inspect.hpp"

#include <map>
#include <memory>

#include <fmt/format.h>

#include "deskext/build_info.hpp"
#include "deskext/extension/api_version.hpp"
#include "deskext/extension/metadata.hpp"
#include "deskext/install/install_plan.hpp"
#include "deskext/install/resolve_image.hpp"
#include "deskext/layer/layer_scan.hpp"
#include "install/binary_checks.hpp"
#include "qa/host_files.hpp"

namespace deskext::qa {
namespace {

constexpr std::string_view metadata_path = "metadata.json";

// Keeps warning messages; everything else is dropped.
class WarningCollector final : public EventSink {
public:
    explicit WarningCollector(std::vector<std::string>& into) : m_into(into) {}
    void emit(std::string_view name, nlohmann::json fields) override {
        if (name == "warning") m_into.push_back(fields.value("message", std::string()));
    }

private:
    std::vector<std::string>& m_into;
};

// What a host cannot get is reported for that host; anything else is the source's failure.
bool is_per_host(const Error& error) {
    return error.code == ErrorCode::no_matching_platform ||
           error.code == ErrorCode::invalid_extension || error.code == ErrorCode::incompatible_api;
}

// One image variant, scanned once for every host that selects it.
struct Variant {
    oci::Manifest manifest;
    layer::ScanResult scan;
    std::optional<extension::Metadata> metadata;
    std::optional<Error> metadata_error;
    // Hosts to classify once the heads are read, with their plans.
    std::vector<std::pair<PlatformInspection*, InstallPlan>> pending;
};

Result<std::unique_ptr<Variant>> scan_variant(ImageSource& source, const ResolvedImage& image,
                                              const Limits& limits) {
    auto variant = std::make_unique<Variant>();
    variant->manifest = image.manifest;
    DESKEXT_TRY_ASSIGN(variant->scan, layer::scan_layers(source, image.manifest,
                                                         {std::string(metadata_path)}, limits, {}));
    const auto captured = variant->scan.captured.find(metadata_path);
    if (captured == variant->scan.captured.end()) {
        variant->metadata_error =
            Error{ErrorCode::invalid_extension,
                  fmt::format("the {} image has no /metadata.json: not a Docker Desktop extension",
                              platform::to_string(image.image_platform))};
    } else if (auto metadata = extension::parse_metadata(captured->second, limits)) {
        variant->metadata = std::move(*metadata);
    } else {
        variant->metadata_error = metadata.error();
    }
    return variant;
}

std::string short_digest(std::string_view digest) {
    constexpr std::size_t shown = 7 + 12;  // "sha256:" and 12 hex digits
    return digest.size() > shown ? std::string(digest.substr(0, shown)) : std::string(digest);
}

}  // namespace

std::size_t PlatformInspection::mismatches() const {
    std::size_t count = 0;
    for (const auto& file : files) count += file.fit == binfmt::Fit::mismatch ? 1 : 0;
    return count;
}

std::string PlatformInspection::status() const {
    if (error) return std::string(code_name(error->code));
    return mismatches() > 0 ? "mismatch" : "ok";
}

std::vector<platform::Platform> host_platforms() {
    std::vector<platform::Platform> hosts;
    for (const char* os : {"darwin", "windows", "linux"})
        for (const char* arch : {"amd64", "arm64"})
            hosts.push_back(platform::make_platform(os, arch));
    return hosts;
}

Result<Inspection> inspect_image(ImageSource& source, const std::vector<platform::Platform>& hosts,
                                 const Limits& limits) {
    Inspection inspection;
    inspection.source = source.describe();
    inspection.platforms.resize(hosts.size());
    std::map<std::string, std::unique_ptr<Variant>> variants;  // by manifest digest

    for (std::size_t i = 0; i < hosts.size(); ++i) {
        PlatformInspection& p = inspection.platforms[i];
        p.host = hosts[i];
        WarningCollector warnings(p.warnings);
        auto image = resolve_image(source, p.host, false, limits, warnings);
        if (!image) {
            if (!is_per_host(image.error())) return std::unexpected(image.error());
            p.error = image.error();
            continue;
        }
        if (image->index_digest) inspection.index_digest = image->index_digest->str();
        p.image_platform = platform::to_string(image->image_platform);
        p.manifest_digest = image->manifest_digest.str();
        const auto label = image->config.labels.find(std::string(extension::api_version_label));
        if (label != image->config.labels.end()) p.api_version = label->second;
        if (auto api = extension::check_api_version(image->config.labels,
                                                    build_info::extension_api_version, warnings);
            !api)
            p.error = api.error();

        auto& variant = variants[p.manifest_digest];
        if (!variant) {
            DESKEXT_TRY_ASSIGN(variant, scan_variant(source, *image, limits));
        }
        if (variant->metadata_error) {
            p.error = variant->metadata_error;
            continue;
        }
        auto plan =
            plan_install(variant->scan.tree, *variant->metadata, p.host.os, p.image_platform);
        if (!plan) {
            if (!is_per_host(plan.error())) return std::unexpected(plan.error());
            p.error = plan.error();
            continue;
        }
        for (const auto& warning : plan->warnings) p.warnings.push_back(warning);
        p.binaries = plan->binaries;
        variant->pending.emplace_back(&p, std::move(*plan));
    }

    for (auto& [digest, variant] : variants) {
        std::vector<layer::EntryRef> refs;
        for (const auto& [p, plan] : variant->pending) {
            auto more = detail::host_file_entries(plan);
            refs.insert(refs.end(), more.begin(), more.end());
        }
        if (refs.empty()) continue;
        DESKEXT_TRY_ASSIGN(auto heads, layer::read_entry_heads(source, variant->manifest, refs,
                                                               binfmt::header_bytes, limits));
        for (auto& [p, plan] : variant->pending) {
            // Without emulation the variant's arch is the host's: the host is what must fit.
            p->files =
                detail::classify_host_files(plan, *variant->metadata, p->host.os, heads, p->host);
        }
    }
    return inspection;
}

nlohmann::json to_json(const PlatformInspection& p) {
    nlohmann::json fields = {{"platform", platform::to_string(p.host)},
                             {"status", p.status()},
                             {"ok", !p.error.has_value()}};
    if (p.error) {
        fields["error"] = {{"code", code_name(p.error->code)},
                           {"exit", exit_code(p.error->code)},
                           {"message", p.error->message}};
    }
    if (!p.manifest_digest.empty()) {
        fields["image_platform"] = p.image_platform;
        fields["manifest_digest"] = p.manifest_digest;
        fields["api_version"] = p.api_version;
    }
    nlohmann::json files = nlohmann::json::array();
    nlohmann::json mismatches = nlohmann::json::array();
    for (const auto& file : p.files) {
        files.push_back({{"file", file.file},
                         {"image_path", file.image_path},
                         {"format", binfmt::kind_name(file.format.kind)},
                         {"description", file.format.description},
                         {"archs", file.format.archs},
                         {"found", binfmt::found_platform(file.format)},
                         {"fit", binfmt::fit_name(file.fit)}});
        if (file.fit == binfmt::Fit::mismatch)
            mismatches.push_back(binary_mismatch_fields(file.file, file.format, p.host));
    }
    fields["binaries"] = p.binaries;
    fields["files"] = std::move(files);
    fields["mismatches"] = std::move(mismatches);
    fields["warnings"] = p.warnings;
    return fields;
}

nlohmann::json matrix_row(const PlatformInspection& p) {
    nlohmann::json row = {{"platform", platform::to_string(p.host)},
                          {"status", p.status()},
                          {"image_platform", p.image_platform},
                          {"manifest_digest", p.manifest_digest},
                          {"files", p.files.size()},
                          {"mismatches", p.mismatches()}};
    return row;
}

std::string format_table(const Inspection& inspection) {
    std::string out = fmt::format("{}{}\n\n", inspection.source,
                                  inspection.index_digest.empty()
                                      ? std::string()
                                      : fmt::format(" (index {})", inspection.index_digest));
    out += fmt::format("{:<15} {:<12} {:<20} {:>5}  {}\n", "PLATFORM", "VARIANT", "MANIFEST",
                       "FILES", "STATUS");
    for (const auto& p : inspection.platforms) {
        std::string status = p.status();
        if (p.error && p.error->code == ErrorCode::no_matching_platform)
            status =
                "no " +
                platform::to_string(platform::make_platform("linux", p.host.arch, p.host.variant)) +
                " variant";
        else if (p.mismatches() > 0)
            status = fmt::format("{} mismatch{}", p.mismatches(), p.mismatches() == 1 ? "" : "es");
        out += fmt::format(
            "{:<15} {:<12} {:<20} {:>5}  {}\n", platform::to_string(p.host),
            p.image_platform.empty() ? "-" : p.image_platform,
            p.manifest_digest.empty() ? "-" : short_digest(p.manifest_digest),
            p.error && p.files.empty() ? std::string("-") : std::to_string(p.files.size()), status);
    }
    for (const auto& p : inspection.platforms) {
        if (p.files.empty() && !p.error) continue;
        out += fmt::format("\n{}:\n", platform::to_string(p.host));
        if (p.error) out += fmt::format("  error: {}\n", p.error->message);
        for (const auto& file : p.files) {
            out += fmt::format(
                "  {:<28} {:<36} {}\n", file.file, file.format.description,
                file.fit == binfmt::Fit::mismatch
                    ? fmt::format("MISMATCH: {}, expected {}", binfmt::found_platform(file.format),
                                  platform::to_string(p.host))
                    : std::string(binfmt::fit_name(file.fit)));
        }
    }
    return out;
}

}  // namespace deskext::qa
