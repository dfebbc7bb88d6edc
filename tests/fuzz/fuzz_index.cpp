// Fuzzes the image index / manifest list parser and the document-type detection, with and without
// a media type from the transport (CVE-2021-41190: a manifest must never be read as an index).
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
    limits.max_index_entries = 64;
    (void)oci::detect_document_type(json);
    for (std::string_view type : {std::string_view{}, media_type::oci_index,
                                  media_type::docker_manifest_list, media_type::oci_manifest}) {
        auto index = oci::parse_index(json, type, limits);
        if (!index) continue;
        if (index->manifests.size() > limits.max_index_entries) std::abort();
        for (const auto& m : index->manifests)
            if (m.size < 0 || m.digest.empty()) std::abort();
    }
    return 0;
}
