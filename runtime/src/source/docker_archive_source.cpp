// `docker-archive:FILE[:NAME:TAG]`: what `docker save` writes. Before Docker 25 the archive
// has manifest.json ([{"Config", "RepoTags", "Layers"}]) and uncompressed layer tars; deskext
// synthesises a Docker schema-2 manifest over them, whose layer digests are the config's
// rootfs.diff_ids (checked by hashing each layer as it is read). Docker 25+ archives also hold
// an OCI image layout, which is then read instead.
// https://github.com/moby/moby/blob/master/image/spec/v1.2.md#combined-image-json--filesystem-changeset-format

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "deskext/oci/media_types.hpp"
#include "source/blob_digest.hpp"
#include "source/name_match.hpp"
#include "source/source_factories.hpp"

namespace deskext::source {
namespace {

struct ManifestEntry {
    std::string config;
    std::vector<std::string> repo_tags;
    std::vector<std::string> layers;
};

Result<std::vector<ManifestEntry>> parse_docker_manifest(const std::string& text,
                                                         const std::string& where,
                                                         const Limits& limits) {
    const auto bad = [&](std::string_view what) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{}: manifest.json: {}", where, what));
    };
    nlohmann::json json;
    try {
        json = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        return bad(fmt::format("not valid JSON: {}", e.what()));
    }
    if (!json.is_array()) return bad("not an array");
    if (json.size() > limits.max_index_entries) return bad("too many images");
    std::vector<ManifestEntry> entries;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const auto& item = json[i];
        ManifestEntry entry;
        if (!item.is_object()) return bad(fmt::format("entry {} is not an object", i));
        if (!item.contains("Config") || !item["Config"].is_string()) {
            return bad(fmt::format("entry {} has no Config string", i));
        }
        entry.config = item["Config"].get<std::string>();
        if (item.contains("RepoTags") && !item["RepoTags"].is_null()) {
            if (!item["RepoTags"].is_array()) {
                return bad(fmt::format("entry {}: RepoTags is not an array", i));
            }
            for (const auto& tag : item["RepoTags"]) {
                if (!tag.is_string()) {
                    return bad(fmt::format("entry {}: RepoTags holds a non-string", i));
                }
                entry.repo_tags.push_back(tag.get<std::string>());
            }
        }
        if (!item.contains("Layers") || !item["Layers"].is_array()) {
            return bad(fmt::format("entry {} has no Layers array", i));
        }
        if (item["Layers"].size() > limits.max_layers) {
            return bad(fmt::format("entry {} has more than {} layers", i, limits.max_layers));
        }
        for (const auto& layer : item["Layers"]) {
            if (!layer.is_string())
                return bad(fmt::format("entry {}: Layers holds a non-string", i));
            entry.layers.push_back(layer.get<std::string>());
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::string all_repo_tags(const std::vector<ManifestEntry>& entries) {
    std::string out;
    for (const auto& entry : entries) {
        for (const auto& tag : entry.repo_tags) {
            if (!out.empty()) out += ", ";
            out += tag;
        }
        if (entry.repo_tags.empty()) {
            if (!out.empty()) out += ", ";
            out += "(untagged " + entry.config + ")";
        }
    }
    return out.empty() ? std::string("none") : out;
}

struct Selection {
    ManifestEntry entry;
    std::optional<std::string> name;
};

Result<Selection> select_image(std::vector<ManifestEntry> entries,
                               const std::optional<std::string>& name, const std::string& where) {
    if (entries.empty()) return fail(ErrorCode::not_found, where + " holds no image");
    if (!name) {
        if (entries.size() > 1) {
            return fail(ErrorCode::usage,
                        fmt::format("{} holds {} images; name one with :NAME:TAG ({})", where,
                                    entries.size(), all_repo_tags(entries)));
        }
        auto& only = entries.front();
        std::optional<std::string> tag;
        if (!only.repo_tags.empty()) tag = only.repo_tags.front();
        return Selection{std::move(only), std::move(tag)};
    }
    // The name as stored first; else another registry's name of the same extension and tag.
    for (const auto matches : {same_image_name, same_extension_tag}) {
        std::vector<std::pair<ManifestEntry*, std::string>> found;
        for (auto& entry : entries) {
            const auto tag = std::ranges::find_if(entry.repo_tags, [&](const std::string& t) {
                return t == *name || matches(t, *name);
            });
            if (tag != entry.repo_tags.end()) found.emplace_back(&entry, *tag);
        }
        if (found.size() > 1)
            return fail(ErrorCode::usage,
                        fmt::format("{} has {} images named {}; cannot tell which to use", where,
                                    found.size(), *name));
        if (found.size() == 1) return Selection{std::move(*found[0].first), found[0].second};
    }
    return fail(ErrorCode::not_found, fmt::format("{} has no image named {} (it has: {})", where,
                                                  *name, all_repo_tags(entries)));
}

// The first bytes of a member tell its compression: docker save (25+) stores layers as they
// were pulled, legacy archives uncompressed.
Result<oci::Compression> sniff_compression(const std::filesystem::path& archive, TarMember member) {
    std::array<std::byte, 4> magic{};
    const auto want = std::min<std::int64_t>(member.size, static_cast<std::int64_t>(magic.size()));
    DESKEXT_TRY_ASSIGN(auto reader, open_file_reader(archive, member.offset, want));
    std::size_t got = 0;
    while (got < static_cast<std::size_t>(want)) {
        DESKEXT_TRY_ASSIGN(const auto n, reader->read(std::span(magic).subspan(got)));
        if (n == 0) break;
        got += n;
    }
    const auto is = [&](std::initializer_list<unsigned char> bytes) {
        if (got < bytes.size()) return false;
        std::size_t i = 0;
        for (const auto b : bytes) {
            if (magic[i++] != std::byte{b}) return false;
        }
        return true;
    };
    if (is({0x1f, 0x8b})) return oci::Compression::gzip;
    if (is({0x28, 0xb5, 0x2f, 0xfd})) return oci::Compression::zstd;
    return oci::Compression::none;
}

std::string layer_media_type(oci::Compression compression) {
    switch (compression) {
        case oci::Compression::gzip:
            return std::string(media_type::docker_layer_gzip);
        // Docker's schema 2 has no zstd layer type; the OCI one is what containerd uses.
        case oci::Compression::zstd:
            return std::string(media_type::oci_layer_zstd);
        case oci::Compression::none:
            break;
    }
    return std::string(media_type::docker_layer_tar);
}

nlohmann::ordered_json descriptor_json(const oci::Descriptor& d) {
    nlohmann::ordered_json json;
    json["mediaType"] = d.media_type;
    json["size"] = d.size;
    json["digest"] = d.digest.str();
    return json;
}

class DockerArchiveSource final : public ImageSource {
public:
    DockerArchiveSource(TarIndex index, std::string description, std::optional<std::string> name,
                        Document manifest, std::map<Digest, TarMember> blobs)
        : m_index(std::move(index)),
          m_description(std::move(description)),
          m_name(std::move(name)),
          m_manifest(std::move(manifest)),
          m_blobs(std::move(blobs)) {}

    [[nodiscard]] std::string describe() const override { return m_description; }

    [[nodiscard]] Result<Document> resolve() override { return m_manifest; }

    [[nodiscard]] Result<Document> fetch_manifest(const oci::Descriptor& descriptor) override {
        if (descriptor.digest != m_manifest.digest) {
            return fail(ErrorCode::not_found, fmt::format("{} has no manifest {}", m_description,
                                                          descriptor.digest.str()));
        }
        if (descriptor.size != static_cast<std::int64_t>(m_manifest.bytes.size()) ||
            (!descriptor.media_type.empty() && descriptor.media_type != m_manifest.media_type)) {
            return fail(ErrorCode::integrity,
                        fmt::format("manifest {} in {} does not match its descriptor",
                                    descriptor.digest.str(), m_description));
        }
        return m_manifest;
    }

    [[nodiscard]] std::optional<std::string> image_name() const override { return m_name; }

private:
    [[nodiscard]] Result<RawBlob> open_raw(const oci::Descriptor& descriptor) override {
        DESKEXT_TRY(blob_member_name(descriptor.digest));
        const auto it = m_blobs.find(descriptor.digest);
        if (it == m_blobs.end()) {
            return fail(ErrorCode::not_found, fmt::format("blob {} is not in {}",
                                                          descriptor.digest.str(), m_description));
        }
        DESKEXT_TRY_ASSIGN(auto inner,
                           open_file_reader(m_index.file(), it->second.offset, it->second.size));
        return RawBlob(std::move(inner));
    }

    TarIndex m_index;
    std::string m_description;
    std::optional<std::string> m_name;
    Document m_manifest;
    std::map<Digest, TarMember> m_blobs;
};

// The manifest a legacy archive implies, and where each of its blobs lies in the tar.
struct ImpliedManifest {
    oci::Manifest manifest;
    std::map<Digest, TarMember> blobs;
};

// A layer's descriptor: named after the digest of the member's bytes in Docker 25+ archives,
// else after the config's diff_id for it (legacy layers are stored uncompressed).
Result<oci::Descriptor> layer_descriptor(const TarIndex& index, const ManifestEntry& entry,
                                         std::size_t i, TarMember member,
                                         const oci::ImageConfig& config) {
    const auto& layer = entry.layers[i];
    const std::string& where = index.path();
    DESKEXT_TRY_ASSIGN(const auto compression, sniff_compression(index.file(), member));
    oci::Descriptor descriptor;
    descriptor.size = member.size;
    descriptor.media_type = layer_media_type(compression);
    if (auto blob_digest = digest_of_blob_member(TarIndex::normalize(layer))) {
        descriptor.digest = *blob_digest;
    } else if (compression != oci::Compression::none) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{}: layer {} is compressed, but a legacy docker archive "
                                "names layers by the digest of their uncompressed content",
                                where, layer));
    } else if (i < config.diff_ids.size()) {
        descriptor.digest = config.diff_ids[i];
    } else {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{}: {} lists {} layers but its config has {} diff_ids", where,
                                entry.config, entry.layers.size(), config.diff_ids.size()));
    }
    return descriptor;
}

Result<ImpliedManifest> implied_manifest(const TarIndex& index, const ManifestEntry& entry,
                                         const Limits& limits) {
    const std::string& where = index.path();
    const auto config_member = index.find(entry.config);
    if (!config_member) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{}: manifest.json names config {} that is not in the archive",
                                where, entry.config));
    }
    DESKEXT_TRY_ASSIGN(auto config_text, index.read(entry.config, limits.max_config_bytes));
    auto config = oci::parse_image_config(config_text);
    if (!config)
        return std::unexpected(std::move(config).error().context(where + ": " + entry.config));

    ImpliedManifest out;
    oci::Manifest& manifest = out.manifest;
    manifest.media_type = std::string(media_type::docker_manifest);
    manifest.config.media_type = std::string(media_type::docker_config);
    manifest.config.digest = sha256_of(config_text);
    manifest.config.size = config_member->size;
    out.blobs.emplace(manifest.config.digest, *config_member);
    for (std::size_t i = 0; i < entry.layers.size(); ++i) {
        const auto member = index.find(entry.layers[i]);
        if (!member) {
            return fail(ErrorCode::invalid_extension,
                        fmt::format("{}: manifest.json names layer {} that is not in the archive",
                                    where, entry.layers[i]));
        }
        DESKEXT_TRY_ASSIGN(auto descriptor, layer_descriptor(index, entry, i, *member, *config));
        out.blobs.emplace(descriptor.digest, *member);
        manifest.layers.push_back(std::move(descriptor));
    }
    return out;
}

Document manifest_document(const oci::Manifest& manifest) {
    nlohmann::ordered_json json;
    json["schemaVersion"] = 2;
    json["mediaType"] = manifest.media_type;
    json["config"] = descriptor_json(manifest.config);
    json["layers"] = nlohmann::ordered_json::array();
    for (const auto& layer : manifest.layers) json["layers"].push_back(descriptor_json(layer));
    std::string bytes = json.dump();
    return Document{manifest.media_type, bytes, sha256_of(bytes)};
}

}  // namespace

Result<std::unique_ptr<ImageSource>> open_docker_archive(TarIndex index,
                                                         std::optional<std::string> name,
                                                         const SourceOptions& options) {
    if (holds_oci_layout(index)) {
        return open_oci_archive(std::move(index), std::move(name), options, "docker-archive");
    }
    const auto& limits = options.limits;
    const std::string where = index.path();
    std::string description = "docker-archive:" + where;
    if (name) description += ":" + *name;

    if (!index.contains("manifest.json")) {
        return fail(ErrorCode::usage,
                    fmt::format("{} is not a docker save archive (no manifest.json)", where));
    }
    DESKEXT_TRY_ASSIGN(auto manifest_text, index.read("manifest.json", limits.max_manifest_bytes));
    DESKEXT_TRY_ASSIGN(auto entries, parse_docker_manifest(manifest_text, where, limits));
    DESKEXT_TRY_ASSIGN(auto selection, select_image(std::move(entries), name, where));
    DESKEXT_TRY_ASSIGN(auto implied, implied_manifest(index, selection.entry, limits));
    auto document = manifest_document(implied.manifest);
    return std::unique_ptr<ImageSource>(std::make_unique<DockerArchiveSource>(
        std::move(index), std::move(description), std::move(selection.name), std::move(document),
        std::move(implied.blobs)));
}

}  // namespace deskext::source
