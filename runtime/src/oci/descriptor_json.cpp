// Writing a descriptor back as JSON (index.json entries, state records, `inspect --json`).
// https://github.com/opencontainers/image-spec/blob/main/descriptor.md

#include <nlohmann/json.hpp>

#include "deskext/oci/models.hpp"

namespace deskext::oci {

std::string to_json(const Descriptor& descriptor) {
    // Field order as the OCI tools write it, so that documents stay readable.
    nlohmann::ordered_json out;
    out["mediaType"] = descriptor.media_type;
    out["digest"] = descriptor.digest.str();
    out["size"] = descriptor.size;
    if (!descriptor.urls.empty()) out["urls"] = descriptor.urls;
    if (!descriptor.annotations.empty()) {
        nlohmann::ordered_json annotations = nlohmann::ordered_json::object();
        for (const auto& [key, value] : descriptor.annotations) annotations[key] = value;
        out["annotations"] = std::move(annotations);
    }
    if (descriptor.platform) {
        nlohmann::ordered_json platform;
        platform["architecture"] = descriptor.platform->arch;
        platform["os"] = descriptor.platform->os;
        if (!descriptor.platform->variant.empty())
            platform["variant"] = descriptor.platform->variant;
        out["platform"] = std::move(platform);
    }
    // Replace rather than throw on invalid UTF-8 from a caller-built descriptor.
    return out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace deskext::oci
