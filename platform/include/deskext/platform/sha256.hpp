#pragma once
// SHA-256 from the operating system's preferred implementation: OpenSSL's libcrypto on Linux and
// macOS, Windows' own CNG (BCrypt) on Windows. runtime's `deskext::Sha256` wraps it.

#include <array>
#include <cstddef>
#include <memory>
#include <span>

namespace deskext::platform {

class Sha256Engine {
public:
    using Value = std::array<unsigned char, 32>;

    // Throws std::runtime_error when the implementation cannot be set up (a broken invariant:
    // SHA-256 is always built in).
    Sha256Engine();
    ~Sha256Engine();
    Sha256Engine(Sha256Engine&&) noexcept;
    Sha256Engine& operator=(Sha256Engine&&) noexcept;
    Sha256Engine(const Sha256Engine&) = delete;
    Sha256Engine& operator=(const Sha256Engine&) = delete;

    void update(std::span<const std::byte> data);
    // The hash of everything given; the engine is not used afterwards.
    [[nodiscard]] Value finish();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace deskext::platform
