#include "cache/needed_digests.hpp"

#include <nlohmann/json.hpp>

#include "deskext/install/installer.hpp"
#include "deskext/io/reader.hpp"

namespace deskext::cache {
namespace {

constexpr std::size_t max_manifest_bytes = 4u << 20;

void add_state(const InstallState& state, std::set<std::string>& digests) {
    for (const auto* digest : {&state.manifest_digest, &state.index_digest})
        if (!digest->empty()) digests.insert(*digest);
    digests.insert(state.blobs.begin(), state.blobs.end());
    for (const auto& emulated : state.emulated) digests.insert(emulated.manifest_digest);
    // Records written before `blobs` was kept still name the layers their files came from.
    for (const auto& file : state.files)
        if (!file.origin_layer.empty()) digests.insert(file.origin_layer);
}

// The config and layers a manifest the cache holds names (the variant an emulated binary came
// from, or a record without `blobs`); nothing for an index, or a manifest the cache lacks.
void add_manifest_blobs(const std::filesystem::path& cache_dir, const std::string& digest,
                        std::set<std::string>& digests) {
    if (!digest.starts_with("sha256:")) return;
    auto reader = open_file_reader(cache_dir / "manifests" / "sha256" / digest.substr(7));
    if (!reader) return;
    auto text = read_all(**reader, max_manifest_bytes);
    if (!text) return;
    const auto json = nlohmann::json::parse(*text, nullptr, false);
    if (!json.is_object()) return;
    const auto add = [&](const nlohmann::json& descriptor) {
        if (descriptor.is_object() && descriptor.contains("digest") &&
            descriptor["digest"].is_string())
            digests.insert(descriptor["digest"].get<std::string>());
    };
    if (json.contains("config")) add(json["config"]);
    if (json.contains("layers") && json["layers"].is_array())
        for (const auto& layer : json["layers"]) add(layer);
}

}  // namespace

NeededDigests needed_digests(const std::filesystem::path& cache_dir,
                             const std::vector<std::filesystem::path>& roots) {
    NeededDigests needed;
    std::set<std::string> manifests;
    for (const auto& root : roots) {
        auto listed = list_extensions(root);
        if (!listed) {
            needed.complete = false;
            continue;
        }
        // A broken record cannot be updated from: a new install fetches what it needs.
        for (const auto& extension : *listed) {
            if (!extension.state) continue;
            add_state(*extension.state, needed.digests);
            manifests.insert(extension.state->manifest_digest);
            for (const auto& emulated : extension.state->emulated)
                manifests.insert(emulated.manifest_digest);
        }
    }
    for (const auto& manifest : manifests) add_manifest_blobs(cache_dir, manifest, needed.digests);
    return needed;
}

}  // namespace deskext::cache
