#include "source/layout_source.hpp"

#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "deskext/oci/media_types.hpp"
#include "source/blob_digest.hpp"
#include "source/name_match.hpp"

namespace deskext::source {
namespace {

// https://github.com/opencontainers/image-spec/blob/main/annotations.md#pre-defined-annotation-keys
constexpr std::string_view ref_name_key = "org.opencontainers.image.ref.name";
// Written by containerd and by Docker 25+ `docker save`: the full image name.
constexpr std::string_view containerd_name_key = "io.containerd.image.name";
constexpr std::size_t max_layout_file_bytes = 64 * 1024;

std::optional<std::string> annotation(const oci::Descriptor& d, std::string_view key) {
    const auto it = d.annotations.find(std::string(key));
    if (it == d.annotations.end()) return std::nullopt;
    return it->second;
}

// What an index.json entry is called in messages: its tag, its full name, else its digest.
std::string entry_label(const oci::Descriptor& d) {
    if (auto ref = annotation(d, ref_name_key)) return *ref;
    if (auto name = annotation(d, containerd_name_key)) return *name;
    return d.digest.str();
}

bool entry_matches(const oci::Descriptor& d, std::string_view tag) {
    if (annotation(d, ref_name_key) == tag) return true;
    const auto name = annotation(d, containerd_name_key);
    return name && (*name == tag || same_image_name(*name, tag));
}

// An entry whose full name is another registry's name of the same extension and tag.
bool entry_is_same_extension(const oci::Descriptor& d, std::string_view tag) {
    for (const auto key : {ref_name_key, containerd_name_key}) {
        const auto name = annotation(d, key);
        if (name && same_extension_tag(*name, tag)) return true;
    }
    return false;
}

std::string labels_of(const std::vector<oci::Descriptor>& entries) {
    std::string out;
    for (const auto& d : entries) {
        if (!out.empty()) out += ", ";
        out += entry_label(d);
    }
    return out;
}

// The oci-layout marker: {"imageLayoutVersion": "1.0.0"}.
Result<void> check_layout_marker(const BlobStore& store) {
    if (!store.has("oci-layout")) {
        return fail(
            ErrorCode::usage,
            fmt::format("{} is not an OCI image layout (no oci-layout file)", store.describe()));
    }
    DESKEXT_TRY_ASSIGN(auto text, store.read_file("oci-layout", max_layout_file_bytes));
    try {
        const auto json = nlohmann::json::parse(text);
        if (!json.is_object() || !json.contains("imageLayoutVersion") ||
            !json["imageLayoutVersion"].is_string()) {
            return fail(
                ErrorCode::invalid_extension,
                fmt::format("{}: oci-layout has no imageLayoutVersion string", store.describe()));
        }
        const auto version = json["imageLayoutVersion"].get<std::string>();
        if (!version.starts_with("1.")) {
            return fail(
                ErrorCode::invalid_extension,
                fmt::format("{}: unsupported imageLayoutVersion {}", store.describe(), version));
        }
    } catch (const nlohmann::json::exception& e) {
        return fail(
            ErrorCode::invalid_extension,
            fmt::format("{}: oci-layout is not valid JSON: {}", store.describe(), e.what()));
    }
    return {};
}

class LayoutSource final : public ImageSource {
public:
    LayoutSource(std::unique_ptr<BlobStore> store, std::string description,
                 oci::Descriptor selected, Limits limits)
        : m_store(std::move(store)),
          m_description(std::move(description)),
          m_selected(std::move(selected)),
          m_limits(limits) {}

    [[nodiscard]] std::string describe() const override { return m_description; }

    [[nodiscard]] Result<Document> resolve() override {
        auto document = fetch_manifest(m_selected);
        if (!document) {
            return std::unexpected(std::move(document).error().context(
                fmt::format("{} ({})", m_description, entry_label(m_selected))));
        }
        return document;
    }

    [[nodiscard]] Result<Document> fetch_manifest(const oci::Descriptor& descriptor) override {
        DESKEXT_TRY(check_manifest_descriptor(descriptor, m_limits));
        const auto& type = descriptor.media_type;
        DESKEXT_TRY_ASSIGN(auto reader, open_blob(descriptor));
        DESKEXT_TRY_ASSIGN(auto bytes, read_all(*reader, m_limits.max_manifest_bytes));
        // Parsing with the descriptor's media type refuses a document that says it is something
        // else (CVE-2021-41190).
        if (media_type::is_index(type)) {
            DESKEXT_TRY(oci::parse_index(bytes, type, m_limits));
        } else {
            DESKEXT_TRY(oci::parse_manifest(bytes, type, m_limits));
        }
        return Document{type, std::move(bytes), descriptor.digest};
    }

    // containerd's full name, else a ref.name that is a whole reference rather than a bare tag:
    // `skopeo copy … oci-archive:F:acme/ext:1.0` and `podman save --format oci-archive` write
    // "acme/ext:1.0" or "localhost/ext:latest" there.
    [[nodiscard]] std::optional<std::string> image_name() const override {
        if (auto name = annotation(m_selected, containerd_name_key)) return name;
        auto ref = annotation(m_selected, ref_name_key);
        if (ref && !looks_like_tag(*ref)) return ref;
        return std::nullopt;
    }

    [[nodiscard]] std::optional<std::string> ref_name() const override {
        return annotation(m_selected, ref_name_key);
    }

private:
    [[nodiscard]] Result<RawBlob> open_raw(const oci::Descriptor& descriptor) override {
        DESKEXT_TRY_ASSIGN(const auto name, blob_member_name(descriptor.digest));
        if (descriptor.size < 0) {
            return fail(ErrorCode::invalid_extension,
                        fmt::format("{} has a negative size", descriptor.digest.str()));
        }
        auto inner = m_store->open(name);
        if (!inner) {
            if (inner.error().code == ErrorCode::not_found) {
                return fail(ErrorCode::not_found,
                            fmt::format("blob {} is missing from {}", descriptor.digest.str(),
                                        m_store->describe()));
            }
            return std::unexpected(std::move(inner).error());
        }
        return RawBlob(std::move(*inner));
    }

    std::unique_ptr<BlobStore> m_store;
    std::string m_description;
    oci::Descriptor m_selected;
    Limits m_limits;
};

Result<oci::Descriptor> select_entry(const oci::Index& index, const std::optional<std::string>& tag,
                                     const std::string& where) {
    if (tag) {
        std::vector<const oci::Descriptor*> found;
        for (const auto& d : index.manifests) {
            if (entry_matches(d, *tag)) found.push_back(&d);
        }
        if (found.empty()) {
            for (const auto& d : index.manifests)
                if (entry_is_same_extension(d, *tag)) found.push_back(&d);
        }
        if (found.empty()) {
            return fail(ErrorCode::not_found,
                        fmt::format("{} has no image tagged {} (it has: {})", where, *tag,
                                    index.manifests.empty() ? std::string("none")
                                                            : labels_of(index.manifests)));
        }
        if (found.size() > 1) {
            return fail(ErrorCode::usage,
                        fmt::format("{} has {} images tagged {}; cannot tell which to use", where,
                                    found.size(), *tag));
        }
        return *found.front();
    }
    if (index.manifests.empty()) {
        return fail(ErrorCode::not_found, fmt::format("{} holds no image", where));
    }
    if (index.manifests.size() > 1) {
        return fail(ErrorCode::usage,
                    fmt::format("{} holds {} images; name one with :TAG ({})", where,
                                index.manifests.size(), labels_of(index.manifests)));
    }
    return index.manifests.front();
}

}  // namespace

Result<std::unique_ptr<ImageSource>> open_layout_source(std::unique_ptr<BlobStore> store,
                                                        std::string transport,
                                                        std::optional<std::string> tag,
                                                        const SourceOptions& options) {
    const auto& limits = options.limits;
    std::string description = transport + ":" + store->describe();
    if (tag) description += ":" + *tag;

    DESKEXT_TRY(check_layout_marker(*store));
    if (!store->has("index.json")) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} has no index.json", store->describe()));
    }
    DESKEXT_TRY_ASSIGN(auto text, store->read_file("index.json", limits.max_manifest_bytes));
    // index.json's own mediaType is optional in older layouts: let the parser go by its shape.
    auto index = oci::parse_index(text, "", limits);
    if (!index) {
        return std::unexpected(std::move(index).error().context(store->describe() + "/index.json"));
    }
    DESKEXT_TRY_ASSIGN(auto selected, select_entry(*index, tag, store->describe()));
    return std::unique_ptr<ImageSource>(std::make_unique<LayoutSource>(
        std::move(store), std::move(description), std::move(selected), limits));
}

}  // namespace deskext::source
