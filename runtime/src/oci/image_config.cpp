// The parts of the image config deskext uses: platform, labels, diff_ids.
// https://github.com/opencontainers/image-spec/blob/main/config.md

#include "deskext/oci/models.hpp"
#include "oci/json_fields.hpp"

namespace deskext::oci {

Result<ImageConfig> parse_image_config(std::string_view json) {
    using namespace detail;
    constexpr std::string_view what = "image config";
    DESKEXT_TRY_ASSIGN(const Json document, parse_object(json, Limits{}.max_config_bytes, what));

    ImageConfig config;
    DESKEXT_TRY_ASSIGN(auto os, required_string(document, "os", what, ""));
    DESKEXT_TRY_ASSIGN(auto arch, required_string(document, "architecture", what, ""));
    DESKEXT_TRY_ASSIGN(auto variant, optional_string(document, "variant", what, ""));
    config.platform = platform::make_platform(os, arch, variant.value_or(""));

    // "config" and its "Labels" are optional, and Go writes null for an empty map.
    if (const auto inner = document.find("config"); inner != document.end() && !inner->is_null()) {
        if (!inner->is_object())
            return std::unexpected(field_error(what, "config", "must be an object"));
        DESKEXT_TRY_ASSIGN(config.labels, string_map(*inner, "Labels", what, "config"));
    }

    const auto rootfs = document.find("rootfs");
    if (rootfs == document.end() || rootfs->is_null())
        return std::unexpected(field_error(what, "rootfs", "is missing"));
    if (!rootfs->is_object())
        return std::unexpected(field_error(what, "rootfs", "must be an object"));
    const auto diff_ids = rootfs->find("diff_ids");
    if (diff_ids == rootfs->end())
        return std::unexpected(field_error(what, "rootfs.diff_ids", "is missing"));
    if (!diff_ids->is_null()) {
        if (!diff_ids->is_array())
            return std::unexpected(field_error(what, "rootfs.diff_ids", "must be an array"));
        if (diff_ids->size() > Limits{}.max_layers)
            return std::unexpected(field_error(
                what, "rootfs.diff_ids",
                "has " + std::to_string(diff_ids->size()) + " entries, more than the limit of " +
                    std::to_string(Limits{}.max_layers)));
        for (std::size_t i = 0; i < diff_ids->size(); ++i) {
            DESKEXT_TRY_ASSIGN(auto digest,
                               digest_field((*diff_ids)[i], what,
                                            index_field("rootfs.diff_ids", i)));
            config.diff_ids.push_back(std::move(digest));
        }
    }
    return config;
}

}  // namespace deskext::oci
