#pragma once
// Inputs the layer tests share: incompressible bytes, and a blob stream that fails the way a
// verifying reader does when the blob is cut short.

#include <cstddef>
#include <random>
#include <span>
#include <string>
#include <utility>

#include "deskext/io/reader.hpp"

namespace deskext::testing {

inline std::string random_bytes(std::size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(gen() & 0xffu);
    return out;
}

// Serves `data`, then fails with an integrity error as a VerifyingReader would.
class FailingReader final : public Reader {
public:
    explicit FailingReader(std::string data) : m_inner(std::move(data)) {}
    Result<std::size_t> read(std::span<std::byte> buffer) override {
        DESKEXT_TRY_ASSIGN(std::size_t n, m_inner.read(buffer));
        if (n == 0) return deskext::fail(ErrorCode::integrity, "blob sha256:feed is truncated");
        return n;
    }

private:
    StringReader m_inner;
};

}  // namespace deskext::testing
