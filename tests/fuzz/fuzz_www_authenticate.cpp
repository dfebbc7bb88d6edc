// Fuzzes the registry's authentication inputs: WWW-Authenticate challenges (RFC 9110 §11.6.1)
// and token-server responses, both sent by whatever server deskext talks to.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "registry/auth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto challenges = deskext::registry::parse_www_authenticate(text);
    if (challenges) {
        for (const auto& c : *challenges) {
            for (char ch : c.scheme)
                if (ch >= 'A' && ch <= 'Z') std::abort();  // scheme names are lower-cased
            (void)c.param("realm");
        }
    }
    (void)deskext::registry::parse_token_response(text);
    return 0;
}
