// inspect: what every host would get, found the way install finds it (resolve_image,
// scan_layers, plan_install), with the host binaries' headers read instead of extracted.

#include "deskext/qa/inspect.hpp"

#include <algorithm>
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
#include "install/emulation_choice.hpp"
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

// A host whose binaries are classified once its variant's heads are read.
struct Pending {
    PlatformInspection* host;
    InstallPlan plan;
    platform::Platform image_platform;
};

// One image variant, scanned once for every host that selects it.
struct Variant {
    oci::Manifest manifest;
    layer::ScanResult scan;
    std::optional<extension::Metadata> metadata;
    std::optional<Error> metadata_error;
    // Hosts to classify once the heads are read, with their plans.
    std::vector<Pending> pending;
};

using Variants = std::map<std::string, std::unique_ptr<Variant>>;  // by manifest digest

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

// The variant `wanted` (a host platform) selects, scanned once for every host that needs it;
// nullptr when the image has none.
Result<Variant*> variant_for(ImageSource& source, const platform::Platform& wanted,
                             const Limits& limits, Variants& variants) {
    NullSink quiet;
    auto image = resolve_image(source, wanted, false, limits, quiet);
    if (!image) {
        if (image.error().code == ErrorCode::no_matching_platform) return nullptr;
        return std::unexpected(image.error());
    }
    auto& variant = variants[image->manifest_digest.str()];
    if (!variant) {
        DESKEXT_TRY_ASSIGN(variant, scan_variant(source, *image, limits));
    }
    return variant.get();
}

std::vector<binfmt::BinaryFormat> formats_of(const std::vector<InspectedBinary>& files,
                                             std::string_view binary) {
    std::vector<binfmt::BinaryFormat> formats;
    for (const auto& file : files)
        if (belongs_to(file.file, binary)) formats.push_back(file.format);
    return formats;
}

// The other variant's build of `binary` in place of the host variant's, marked emulated.
void take_files(PlatformInspection& p, std::vector<InspectedBinary>& other, std::string_view binary,
                const std::string& other_variant, bool missing) {
    std::erase_if(p.files, [&](const auto& file) { return belongs_to(file.file, binary); });
    for (auto& file : other) {
        if (!belongs_to(file.file, binary)) continue;
        p.warnings.push_back(emulated_binary_fields(file.file, file.format, p.host,
                                                    p.image_platform, other_variant, missing)
                                 .value("message", std::string()));
        file.fit = binfmt::Fit::emulated;
        file.image_platform = other_variant;
        p.files.push_back(std::move(file));
    }
}

// What install does on a host that runs amd64 programs under emulation (emulated_binaries.hpp):
// each declared binary the host's variant lacks or carries for another platform, taken from the
// amd64 variant when it carries a build that runs there; a missing one it cannot take fails.
Result<void> inspect_emulated(ImageSource& source, const Limits& limits, Variants& variants,
                              PlatformInspection& p, const InstallPlan& plan,
                              const extension::Metadata& metadata,
                              const platform::Platform& emulated) {
    std::vector<std::string> wanted;
    for (const auto& binary : plan.binaries)
        if (wants_emulated_build(plan.lacks(binary), formats_of(p.files, binary), p.host))
            wanted.push_back(binary);
    if (wanted.empty()) return {};
    const std::string other_variant = platform::to_string(image_platform_for(emulated));
    DESKEXT_TRY_ASSIGN(Variant * other, variant_for(source, emulated, limits, variants));
    InstallPlan other_plan;
    std::vector<InspectedBinary> other_files;
    if (other != nullptr) {
        auto planned =
            plan_host_binaries(other->scan.tree, metadata, p.host.os, other_variant, wanted);
        if (!planned) {
            // As install would fail, for this host only.
            if (!is_per_host(planned.error())) return std::unexpected(planned.error());
            p.error = planned.error();
            return {};
        }
        other_plan = std::move(*planned);
        DESKEXT_TRY_ASSIGN(
            auto heads,
            layer::read_entry_heads(source, other->manifest, detail::host_file_entries(other_plan),
                                    binfmt::header_bytes, limits));
        other_files = detail::classify_host_files(other_plan, metadata, p.host.os, heads, emulated);
    }
    for (const auto& binary : wanted) {
        const bool missing = plan.lacks(binary);
        const bool there = other != nullptr && !other_plan.lacks(binary);
        const auto formats = formats_of(other_files, binary);
        if (there && runs_emulated(false, formats, emulated)) {
            take_files(p, other_files, binary, other_variant, missing);
        } else if (missing && !p.error) {
            const auto image_path =
                detail::DeclaredPaths(metadata, p.host.os).image_path_of(binary);
            p.error =
                no_emulated_build(image_path, p.image_platform, p.host, other_variant,
                                  why_not_emulated(image_path, other_variant, other != nullptr,
                                                   !there, formats, emulated));
        }
    }
    return {};
}

// Resolves, scans and plans what install would do for one host; the host's problems are
// recorded in `p`, the source's failures returned.
Result<void> plan_host(ImageSource& source, const Limits& limits, Inspection& inspection,
                       PlatformInspection& p, Variants& variants) {
    WarningCollector warnings(p.warnings);
    auto image = resolve_image(source, p.host, false, limits, warnings);
    if (!image) {
        if (!is_per_host(image.error())) return std::unexpected(image.error());
        p.error = image.error();
        return {};
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
        return {};
    }
    const auto missing = emulation_for(p.host, image->image_platform) ? MissingBinaries::listed
                                                                      : MissingBinaries::fail;
    auto plan =
        plan_install(variant->scan.tree, *variant->metadata, p.host.os, p.image_platform, missing);
    if (!plan) {
        if (!is_per_host(plan.error())) return std::unexpected(plan.error());
        p.error = plan.error();
        return {};
    }
    for (const auto& warning : plan->warnings) p.warnings.push_back(warning);
    p.binaries = plan->binaries;
    variant->pending.push_back({&p, std::move(*plan), image->image_platform});
    return {};
}

// The last column of a file's line in the details people read.
std::string fit_text(const InspectedBinary& file, const platform::Platform& host) {
    if (file.fit == binfmt::Fit::mismatch)
        return fmt::format("MISMATCH: {}, expected {}", binfmt::found_platform(file.format),
                           platform::to_string(host));
    if (file.fit == binfmt::Fit::emulated)
        return fmt::format("emulated: {} from the {} image", binfmt::found_platform(file.format),
                           file.image_platform);
    return std::string(binfmt::fit_name(file.fit));
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

std::size_t PlatformInspection::emulated() const {
    return static_cast<std::size_t>(std::ranges::count_if(
        files, [](const InspectedBinary& file) { return file.fit == binfmt::Fit::emulated; }));
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
    Variants variants;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        inspection.platforms[i].host = hosts[i];
        DESKEXT_TRY(plan_host(source, limits, inspection, inspection.platforms[i], variants));
    }
    std::vector<std::pair<Variant*, Pending*>> emulating;
    for (auto& [digest, variant] : variants) {
        std::vector<layer::EntryRef> refs;
        for (const auto& pending : variant->pending) {
            auto more = detail::host_file_entries(pending.plan);
            refs.insert(refs.end(), more.begin(), more.end());
        }
        std::map<layer::EntryRef, std::string> heads;
        if (!refs.empty()) {
            DESKEXT_TRY_ASSIGN(heads, layer::read_entry_heads(source, variant->manifest, refs,
                                                              binfmt::header_bytes, limits));
        }
        for (auto& pending : variant->pending) {
            auto& p = *pending.host;
            // The variant's arch is the host's, or amd64 taken as a whole (--allow-emulation,
            // which inspect never assumes): the host is what must fit.
            p.files = detail::classify_host_files(pending.plan, *variant->metadata, p.host.os,
                                                  heads, p.host);
            for (auto& file : p.files) file.image_platform = p.image_platform;
            if (emulation_for(p.host, pending.image_platform))
                emulating.emplace_back(variant.get(), &pending);
        }
    }
    // Reading another variant adds to `variants`: done once the loop above is over.
    for (auto [variant, pending] : emulating) {
        const auto emulated = *emulation_for(pending->host->host, pending->image_platform);
        DESKEXT_TRY(inspect_emulated(source, limits, variants, *pending->host, pending->plan,
                                     *variant->metadata, emulated));
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
                         {"fit", binfmt::fit_name(file.fit)},
                         {"image_platform", file.image_platform}});
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
                          {"mismatches", p.mismatches()},
                          {"emulated", p.emulated()}};
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
        if (p.emulated() > 0) status += fmt::format(", {} under emulation", p.emulated());
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
            out += fmt::format("  {:<28} {:<36} {}\n", file.file, file.format.description,
                               fit_text(file, p.host));
        }
    }
    return out;
}

}  // namespace deskext::qa
