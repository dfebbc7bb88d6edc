// `deskext export`: every image is resolved, the documents it needs are fetched (verified against
// their descriptors by the source), then its blobs are streamed into the bundle, each verified
// while it is copied; index.json names each image so that install can pick it.

#include "deskext/export/export_bundle.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "deskext/install/resolve_image.hpp"
#include "deskext/oci/media_types.hpp"
#include "deskext/oci/platform_match.hpp"
#include "deskext/platform/utf8.hpp"
#include "deskext/registry/reference.hpp"
#include "deskext/source/documents.hpp"
#include "export/bundle_writer.hpp"
#include "install/crash_point.hpp"
#include "install/progress_throttle.hpp"
#include "source/name_match.hpp"

namespace deskext {
namespace {

// https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys
constexpr std::string_view ref_name_key = "org.opencontainers.image.ref.name";
// What containerd, Docker 25+ and skopeo write: the image's full name.
constexpr std::string_view containerd_name_key = "io.containerd.image.name";
// An index inside an index is legal; deeper nesting is not something images do.
constexpr int max_index_depth = 2;

// What one image puts in the bundle.
struct ImagePlan {
    Document top;                        // what index.json points at
    std::vector<Document> documents;     // manifests and nested indexes below it
    std::vector<oci::Descriptor> blobs;  // configs and layers, each once
    std::vector<std::string> platforms;
};

void add_blob_once(ImagePlan& plan, const oci::Descriptor& blob) {
    const bool known = std::any_of(plan.blobs.begin(), plan.blobs.end(),
                                   [&](const auto& b) { return b.digest == blob.digest; });
    if (!known) plan.blobs.push_back(blob);
}

// Adds a manifest's config and layers, or for an index every entry with what it needs.
Result<void> add_document(ImageSource& source, const Document& document, ImagePlan& plan,
                          const Limits& limits, int depth) {
    if (!media_type::is_index(document.media_type)) {
        DESKEXT_TRY_ASSIGN(auto manifest, parse_manifest_document(document, limits));
        add_blob_once(plan, manifest.config);
        for (const auto& layer : manifest.layers) add_blob_once(plan, layer);
        return {};
    }
    if (depth >= max_index_depth)
        return fail(ErrorCode::invalid_extension,
                    fmt::format("index {} nests indexes deeper than {}", document.digest.str(),
                                max_index_depth));
    DESKEXT_TRY_ASSIGN(auto index, parse_index_document(document, limits));
    for (const auto& entry : index.manifests) {
        auto fetched = source.fetch_manifest(entry);
        if (!fetched)
            return std::unexpected(
                std::move(fetched).error().context("index entry " + entry.digest.str()));
        DESKEXT_TRY(add_document(source, *fetched, plan, limits, depth + 1));
        plan.documents.push_back(std::move(*fetched));
    }
    return {};
}

std::string platform_list(const std::vector<platform::Platform>& platforms) {
    std::string out;
    for (const auto& p : platforms) out += (out.empty() ? "" : ", ") + platform::to_string(p);
    return out;
}

// An index keeping only the entries for `wanted`, in the original order; the manifests
// themselves are unchanged (their digests are what installs record).
Result<ImagePlan> plan_subset_of_index(ImageSource& source, Document top,
                                       const std::vector<platform::Platform>& wanted,
                                       const Limits& limits) {
    DESKEXT_TRY_ASSIGN(auto index, parse_index_document(top, limits));
    std::set<Digest> chosen;
    for (const auto& platform : wanted) {
        auto entry = oci::select_manifest(index, platform);
        if (!entry)
            return std::unexpected(std::move(entry).error().context(
                fmt::format("--platform {}", platform::to_string(platform))));
        chosen.insert(entry->digest);
    }
    ImagePlan plan;
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    for (const auto& entry : index.manifests) {
        if (!chosen.contains(entry.digest)) continue;
        chosen.erase(entry.digest);  // an index listing one manifest twice keeps it once
        auto fetched = source.fetch_manifest(entry);
        if (!fetched)
            return std::unexpected(
                std::move(fetched).error().context("index entry " + entry.digest.str()));
        if (!media_type::is_manifest(fetched->media_type))
            return fail(ErrorCode::invalid_extension,
                        fmt::format("index entry {} is a {}, not an image manifest",
                                    entry.digest.str(), fetched->media_type));
        DESKEXT_TRY(add_document(source, *fetched, plan, limits, 1));
        plan.documents.push_back(std::move(*fetched));
        entries.push_back(nlohmann::ordered_json::parse(oci::to_json(entry)));
        if (entry.platform) plan.platforms.push_back(platform::to_string(*entry.platform));
    }
    nlohmann::ordered_json json;
    json["schemaVersion"] = 2;
    json["mediaType"] = top.media_type;
    json["manifests"] = std::move(entries);
    if (!index.annotations.empty()) json["annotations"] = index.annotations;
    std::string bytes = json.dump();
    plan.top = Document{top.media_type, bytes, sha256_of(bytes)};
    return plan;
}

Result<ImagePlan> plan_image(ImageSource& source, const std::vector<platform::Platform>& wanted,
                             const Limits& limits) {
    DESKEXT_TRY_ASSIGN(auto top, source.resolve());
    if (media_type::is_index(top.media_type)) {
        if (!wanted.empty()) return plan_subset_of_index(source, std::move(top), wanted, limits);
        ImagePlan plan;
        DESKEXT_TRY(add_document(source, top, plan, limits, 0));
        DESKEXT_TRY_ASSIGN(auto index, parse_index_document(top, limits));
        for (const auto& p : oci::image_platforms(index))
            plan.platforms.push_back(platform::to_string(p));
        plan.top = std::move(top);
        return plan;
    }
    // A single manifest: its config says which platform it is.
    DESKEXT_TRY_ASSIGN(auto manifest, parse_manifest_document(top, limits));
    DESKEXT_TRY_ASSIGN(auto config, read_image_config(source, manifest, limits));
    if (!wanted.empty() && std::find(wanted.begin(), wanted.end(), config.platform) == wanted.end())
        return fail(ErrorCode::no_matching_platform,
                    fmt::format("the image is {} only; --platform asks for {}",
                                platform::to_string(config.platform), platform_list(wanted)));
    ImagePlan plan;
    DESKEXT_TRY(add_document(source, top, plan, limits, 0));
    plan.platforms.push_back(platform::to_string(config.platform));
    plan.top = std::move(top);
    return plan;
}

Result<BundleNames> names_of(const ImageSource& source) {
    if (auto name = source.image_name()) return bundle_names(*name);
    if (auto ref = source.ref_name()) return BundleNames{*ref, ""};
    return fail(ErrorCode::usage,
                fmt::format("{} carries no image name (no RepoTags, io.containerd.image.name or "
                            "org.opencontainers.image.ref.name) to name it by in the bundle; "
                            "tag the image, or export it from a registry",
                            source.describe()));
}

std::vector<platform::Platform> image_platforms_for(const std::vector<platform::Platform>& hosts) {
    std::vector<platform::Platform> wanted;
    for (const auto& host : hosts) {
        const auto platform = image_platform_for(host);
        if (std::find(wanted.begin(), wanted.end(), platform) == wanted.end())
            wanted.push_back(platform);
    }
    return wanted;
}

// Every source is opened (nothing fetched yet) before anything is written, so that a typo in
// the last one fails at once.
Result<std::vector<std::unique_ptr<ImageSource>>> open_sources(const ExportOptions& options) {
    std::vector<std::unique_ptr<ImageSource>> sources;
    for (const auto& text : options.sources) {
        DESKEXT_TRY_ASSIGN(auto source, open_source(text, options.source_options));
        sources.push_back(std::move(source));
    }
    return sources;
}

// The plan's blobs streamed into the bundle (those it holds already skipped), then its
// documents.
Result<void> copy_image(ImageSource& source, const ImagePlan& plan,
                        bundle::BundleWriter& writer, EventSink& events) {
    ProgressThrottle download(events, "download", plan.blobs);
    DESKEXT_TRY_ASSIGN(const auto fetching, source.prefetch(plan.blobs, download.callback()));
    ProgressThrottle copied(events, "export", plan.blobs);
    const auto progress = copied.callback();
    for (std::size_t i = 0; i < plan.blobs.size(); ++i) {
        const auto& blob = plan.blobs[i];
        if (writer.has_blob(blob.digest)) continue;
        DESKEXT_TRY_ASSIGN(auto reader, source.open_blob(blob));
        auto copy = writer.copy_blob(blob, *reader, i, progress);
        if (!copy)
            return std::unexpected(std::move(copy).error().context(
                fmt::format("{}: blob {}", source.describe(), blob.digest.str())));
    }
    for (const auto& document : plan.documents)
        DESKEXT_TRY(writer.add_blob(document.digest, document.bytes));
    return writer.add_blob(plan.top.digest, plan.top.bytes);
}

// The image's entry in the bundle's index.json: its names, so that install can pick it.
oci::Descriptor index_entry(const ImagePlan& plan, const BundleNames& names) {
    oci::Descriptor entry;
    entry.media_type = plan.top.media_type;
    entry.digest = plan.top.digest;
    entry.size = static_cast<std::int64_t>(plan.top.bytes.size());
    if (!names.image_name.empty())
        entry.annotations[std::string(containerd_name_key)] = names.image_name;
    entry.annotations[std::string(ref_name_key)] = names.ref_name;
    return entry;
}

void emit_exported(EventSink& events, const ExportedImage& image) {
    events.emit("exported", {{"source", image.source},
                             {"ref_name", image.ref_name},
                             {"image_name", image.image_name},
                             {"digest", image.digest.str()},
                             {"media_type", image.media_type},
                             {"platforms", image.platforms},
                             {"blobs", image.blobs}});
}

}  // namespace

BundleNames bundle_names(const std::string& image_name) {
    auto reference = registry::Reference::parse(image_name);
    if (!reference) return {image_name, image_name};
    const auto full = reference->to_string();
    return {source::short_image_name(full), full};
}

Result<ExportOutcome> export_bundle(const ExportOptions& options, EventSink& caller_events) {
    SerializedSink events(caller_events);
    if (options.sources.empty()) return fail(ErrorCode::usage, "export needs at least one SOURCE");
    const auto& limits = options.source_options.limits;
    const auto wanted = image_platforms_for(options.hosts);
    DESKEXT_TRY_ASSIGN(auto sources, open_sources(options));
    nlohmann::json described = nlohmann::json::array();
    for (const auto& source : sources) described.push_back(source->describe());
    nlohmann::json hosts = nlohmann::json::array();
    for (const auto& host : options.hosts) hosts.push_back(platform::to_string(host));
    events.emit("started", {{"command", "export"},
                            {"sources", described},
                            {"output", platform::utf8_of(options.output)},
                            {"platforms", hosts}});

    DESKEXT_TRY_ASSIGN(auto writer, bundle::BundleWriter::create(options.output));
    ExportOutcome outcome;
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    std::map<std::string, std::string> ref_names;  // ref name → source, to refuse duplicates
    for (auto& source : sources) {
        DESKEXT_TRY_ASSIGN(auto names, names_of(*source));
        if (auto [it, fresh] = ref_names.emplace(names.ref_name, source->describe()); !fresh)
            return fail(ErrorCode::usage,
                        fmt::format("{} and {} are both named {}; a bundle "
                                    "names each image once",
                                    it->second, source->describe(), names.ref_name));
        auto plan = plan_image(*source, wanted, limits);
        if (!plan) return std::unexpected(std::move(plan).error().context(source->describe()));
        const std::size_t before = writer.blob_count();
        DESKEXT_TRY(copy_image(*source, *plan, writer, events));
        const auto entry = index_entry(*plan, names);
        entries.push_back(nlohmann::ordered_json::parse(oci::to_json(entry)));
        ExportedImage image{source->describe(), names.ref_name,  names.image_name,
                            plan->top.digest,   entry.media_type, plan->platforms,
                            writer.blob_count() - before};
        emit_exported(events, image);
        outcome.images.push_back(std::move(image));
    }

    nlohmann::ordered_json index;
    index["schemaVersion"] = 2;
    index["mediaType"] = media_type::oci_index;
    index["manifests"] = std::move(entries);
    outcome.blobs = writer.blob_count();
    crash_point(export_crash_point);
    DESKEXT_TRY_ASSIGN(outcome.bytes, writer.commit(index.dump()));
    return outcome;
}

}  // namespace deskext
