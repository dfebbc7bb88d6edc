// Fuzzes image reference parsing (`NAME[:TAG][@DIGEST]`, Docker's normalisation): whatever
// parses prints back to a fully qualified reference that parses to the same thing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "deskext/registry/reference.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using deskext::registry::Reference;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto parsed = Reference::parse(text);
    if (!parsed) return 0;
    (void)parsed->api_host();
    (void)parsed->manifest_ref();
    auto again = Reference::parse(parsed->to_string());
    if (!again || again->to_string() != parsed->to_string()) std::abort();
    return 0;
}
