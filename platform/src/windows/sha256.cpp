// SHA-256 through Windows' CNG (BCrypt): the system's own validated implementation, which uses
// the CPU's SHA extensions where it has them, so no cryptographic library ships with deskext.exe.

#include "deskext/platform/sha256.hpp"

#include <windows.h>
// windows.h first: bcrypt.h needs its types.
#include <bcrypt.h>

#include <climits>
#include <stdexcept>
#include <string>

namespace deskext::platform {
namespace {

void check(NTSTATUS status, const char* call) {
    if (!BCRYPT_SUCCESS(status)) {
        throw std::runtime_error(std::string(call) + " failed with NTSTATUS " +
                                 std::to_string(static_cast<unsigned long>(status)));
    }
}

// The algorithm provider, opened once for the process and shared by every hash (CNG allows
// that across threads); it lives until the process ends.
BCRYPT_ALG_HANDLE sha256_provider() {
    static const BCRYPT_ALG_HANDLE provider = [] {
        BCRYPT_ALG_HANDLE handle = nullptr;
        check(BCryptOpenAlgorithmProvider(&handle, BCRYPT_SHA256_ALGORITHM, nullptr, 0),
              "BCryptOpenAlgorithmProvider(SHA256)");
        return handle;
    }();
    return provider;
}

}  // namespace

struct Sha256Engine::Impl {
    BCRYPT_HASH_HANDLE hash = nullptr;
    ~Impl() {
        if (hash != nullptr) BCryptDestroyHash(hash);
    }
};

Sha256Engine::Sha256Engine() : m_impl(std::make_unique<Impl>()) {
    // The hash object's memory is allocated by CNG itself (pbHashObject null).
    check(BCryptCreateHash(sha256_provider(), &m_impl->hash, nullptr, 0, nullptr, 0, 0),
          "BCryptCreateHash");
}

Sha256Engine::~Sha256Engine() = default;
Sha256Engine::Sha256Engine(Sha256Engine&&) noexcept = default;
Sha256Engine& Sha256Engine::operator=(Sha256Engine&&) noexcept = default;

void Sha256Engine::update(std::span<const std::byte> data) {
    // BCryptHashData takes at most ULONG bytes a call.
    while (!data.empty()) {
        const std::size_t chunk = data.size() < ULONG_MAX ? data.size() : ULONG_MAX;
        // CNG does not write through the pointer; its parameter is not const.
        auto* bytes = reinterpret_cast<PUCHAR>(const_cast<std::byte*>(data.data()));
        check(BCryptHashData(m_impl->hash, bytes, static_cast<ULONG>(chunk), 0), "BCryptHashData");
        data = data.subspan(chunk);
    }
}

Sha256Engine::Value Sha256Engine::finish() {
    Value value{};
    check(BCryptFinishHash(m_impl->hash, value.data(), static_cast<ULONG>(value.size()), 0),
          "BCryptFinishHash");
    return value;
}

}  // namespace deskext::platform
