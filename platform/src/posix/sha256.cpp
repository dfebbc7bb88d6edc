// SHA-256 through OpenSSL's EVP interface (its assembly uses the CPU's SHA extensions).

#include "deskext/platform/sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace deskext::platform {

struct Sha256Engine::Impl {
    struct CtxDeleter {
        void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
    };
    std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx{EVP_MD_CTX_new()};
};

Sha256Engine::Sha256Engine() : m_impl(std::make_unique<Impl>()) {
    if (!m_impl->ctx) throw std::runtime_error("EVP_MD_CTX_new failed");
    if (EVP_DigestInit_ex(m_impl->ctx.get(), EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("EVP_DigestInit_ex(sha256) failed");
}

Sha256Engine::~Sha256Engine() = default;
Sha256Engine::Sha256Engine(Sha256Engine&&) noexcept = default;
Sha256Engine& Sha256Engine::operator=(Sha256Engine&&) noexcept = default;

void Sha256Engine::update(std::span<const std::byte> data) {
    if (EVP_DigestUpdate(m_impl->ctx.get(), data.data(), data.size()) != 1)
        throw std::runtime_error("EVP_DigestUpdate failed");
}

Sha256Engine::Value Sha256Engine::finish() {
    Value value{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(m_impl->ctx.get(), value.data(), &length) != 1 || length != value.size())
        throw std::runtime_error("EVP_DigestFinal_ex failed");
    return value;
}

}  // namespace deskext::platform
