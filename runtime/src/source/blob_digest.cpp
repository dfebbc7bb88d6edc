#include "source/blob_digest.hpp"

#include <fmt/format.h>

namespace deskext::source {
namespace {

bool is_sha256_hex(std::string_view hex) {
    if (hex.size() != 64) return false;
    for (const char c : hex) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

}  // namespace

Result<std::string> blob_member_name(const Digest& digest) {
    if (digest.algorithm() != "sha256") {
        return fail(ErrorCode::usage,
                    fmt::format("digest {} uses an unsupported algorithm (only sha256 is read)",
                                digest.str()));
    }
    if (!is_sha256_hex(digest.hex())) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("malformed sha256 digest \"{}\"", digest.str()));
    }
    return "blobs/sha256/" + digest.hex();
}

std::optional<Digest> digest_of_blob_member(std::string_view name) {
    constexpr std::string_view prefix = "blobs/sha256/";
    if (!name.starts_with(prefix)) return std::nullopt;
    const auto hex = name.substr(prefix.size());
    if (!is_sha256_hex(hex)) return std::nullopt;
    auto digest = Digest::parse(fmt::format("sha256:{}", hex));
    if (!digest) return std::nullopt;
    return *digest;
}

}  // namespace deskext::source
