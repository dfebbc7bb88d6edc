// Fuzzes the image manifest parser (OCI and Docker schema 2) and the layer media types.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deskext/oci/media_types.hpp"
#include "deskext/oci/models.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deskext;
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    Limits limits;
    limits.max_layers = 16;
    for (std::string_view type : {std::string_view{}, media_type::oci_manifest,
                                  media_type::docker_manifest, media_type::oci_index}) {
        auto manifest = oci::parse_manifest(json, type, limits);
        if (!manifest) continue;
        if (manifest->config.size < 0) std::abort();
        for (const auto& layer : manifest->layers) {
            if (layer.size < 0) std::abort();
            (void)oci::layer_compression(layer.media_type);
        }
        (void)oci::to_json(manifest->config);
    }
    return 0;
}
