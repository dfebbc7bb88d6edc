// Fuzzes the image config parser (platform, labels, rootfs.diff_ids).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "deskext/oci/models.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view json(reinterpret_cast<const char*>(data), size);
    (void)deskext::oci::parse_image_config(json);
    return 0;
}
