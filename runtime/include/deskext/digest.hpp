#pragma once
// Content digests ("sha256:<64 hex>") and a streaming SHA-256 (platform::Sha256Engine: the
// OS's preferred implementation).
// https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "deskext/error.hpp"

namespace deskext {

class Digest {
public:
    Digest() = default;
    // Parses "algorithm:hex". Only sha256 is accepted (sha512 is registered by the spec but no
    // registry or builder writes it for extension images); exit category usage otherwise.
    [[nodiscard]] static Result<Digest> parse(std::string_view text);
    // From a raw 32-byte SHA-256 value.
    [[nodiscard]] static Digest from_sha256(std::span<const unsigned char, 32> raw);

    [[nodiscard]] const std::string& algorithm() const { return m_algorithm; }
    [[nodiscard]] const std::string& hex() const { return m_hex; }
    [[nodiscard]] std::string str() const { return m_algorithm + ":" + m_hex; }
    [[nodiscard]] bool empty() const { return m_hex.empty(); }

    friend bool operator==(const Digest&, const Digest&) = default;
    friend auto operator<=>(const Digest&, const Digest&) = default;

private:
    std::string m_algorithm;
    std::string m_hex;  // lower-case
};

// The SHA-256 and size of a file's content.
struct FileHash {
    Digest digest;
    std::int64_t size = 0;
};

// Incremental SHA-256. Move-only.
class Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(Sha256&&) noexcept;
    Sha256& operator=(Sha256&&) noexcept;
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::span<const std::byte> data);
    void update(std::string_view data);
    // Finishes the hash; the object may not be updated afterwards.
    [[nodiscard]] Digest finish();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

[[nodiscard]] Digest sha256_of(std::string_view data);

}  // namespace deskext
