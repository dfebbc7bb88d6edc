#include "deskext/platform/random_name.hpp"

#include <cstdint>
#include <random>

namespace deskext::platform {

std::string random_name() {
    // One device per thread, opened once: random_device is not safe to share between threads.
    static thread_local std::random_device device;
    const std::uint64_t bits = (std::uint64_t{device()} << 32) | device();
    constexpr char k_hex[] = "0123456789abcdef";
    std::string name;
    for (int digit = 0; digit < 12; ++digit) {
        if (digit == 4 || digit == 8) name += '-';
        name += k_hex[(bits >> (4 * digit)) & 0xfU];
    }
    return name;
}

}  // namespace deskext::platform
