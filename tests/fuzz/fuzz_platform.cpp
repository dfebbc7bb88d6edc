// Fuzzes platform parsing ("linux/arm64/v8", "darwin/x86_64"): whatever parses must print back to
// a string that parses to the same platform.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deskext/platform/platform.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = deskext::platform::parse_platform(text);
    if (!parsed) return 0;
    auto again = deskext::platform::parse_platform(deskext::platform::to_string(*parsed));
    if (!again || !(*again == *parsed)) std::abort();
    return 0;
}
