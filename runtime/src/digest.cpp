// Content digests and streaming SHA-256.
// https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests

#include "deskext/digest.hpp"

#include <stdexcept>

#include "deskext/platform/sha256.hpp"

namespace deskext {

namespace {

constexpr std::string_view sha256_prefix = "sha256:";
constexpr std::size_t sha256_hex_length = 64;

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

std::string to_hex(std::span<const unsigned char> raw) {
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string hex;
    hex.reserve(raw.size() * 2);
    for (unsigned char byte : raw) {
        hex.push_back(digits[byte >> 4U]);
        hex.push_back(digits[byte & 0x0fU]);
    }
    return hex;
}

}  // namespace

Result<Digest> Digest::parse(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return fail(ErrorCode::usage, "malformed digest \"" + std::string(text) +
                                          "\": expected sha256:<64 hex digits>");
    const std::string_view algorithm = text.substr(0, colon);
    const std::string_view hex = text.substr(colon + 1);
    if (algorithm != sha256_prefix.substr(0, sha256_prefix.size() - 1))
        return fail(ErrorCode::usage, "unsupported digest algorithm \"" + std::string(algorithm) +
                                          "\" in \"" + std::string(text) +
                                          "\": only sha256 is supported");
    // The spec's encoded part for sha256 is exactly [a-f0-9]{64}; upper case is not accepted.
    if (hex.size() != sha256_hex_length)
        return fail(ErrorCode::usage, "malformed digest \"" + std::string(text) + "\": expected " +
                                          std::to_string(sha256_hex_length) + " hex digits, got " +
                                          std::to_string(hex.size()));
    for (char c : hex) {
        if (!is_lower_hex(c))
            return fail(ErrorCode::usage, "malformed digest \"" + std::string(text) +
                                              "\": expected lower-case hex digits");
    }
    Digest digest;
    digest.m_algorithm = std::string(algorithm);
    digest.m_hex = std::string(hex);
    return digest;
}

Digest Digest::from_sha256(std::span<const unsigned char, 32> raw) {
    Digest digest;
    digest.m_algorithm = "sha256";
    digest.m_hex = to_hex(raw);
    return digest;
}

struct Sha256::Impl {
    platform::Sha256Engine engine;
    bool finished = false;
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {}

Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(std::span<const std::byte> data) {
    if (!m_impl || m_impl->finished) throw std::logic_error("Sha256::update after finish");
    if (data.empty()) return;
    m_impl->engine.update(data);
}

void Sha256::update(std::string_view data) { update(std::as_bytes(std::span(data))); }

Digest Sha256::finish() {
    if (!m_impl || m_impl->finished) throw std::logic_error("Sha256::finish called twice");
    const auto raw = m_impl->engine.finish();
    m_impl->finished = true;
    return Digest::from_sha256(raw);
}

Digest sha256_of(std::string_view data) {
    Sha256 hash;
    hash.update(data);
    return hash.finish();
}

}  // namespace deskext
