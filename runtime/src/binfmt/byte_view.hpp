#pragma once
// Bounds-checked reads of fixed-width integers from the head of a file, in either byte order.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace deskext::binfmt::detail {

class ByteView {
public:
    explicit ByteView(std::span<const std::byte> bytes) : m_bytes(bytes) {}

    [[nodiscard]] std::size_t size() const { return m_bytes.size(); }

    // The `width`-byte integer at `offset`, or nothing when it runs past the end.
    [[nodiscard]] std::optional<std::uint64_t> le(std::size_t offset, std::size_t width) const {
        if (offset > m_bytes.size() || width > m_bytes.size() - offset) return std::nullopt;
        std::uint64_t value = 0;
        for (std::size_t i = width; i-- > 0;)
            value = (value << 8) | std::to_integer<std::uint64_t>(m_bytes[offset + i]);
        return value;
    }
    [[nodiscard]] std::optional<std::uint64_t> be(std::size_t offset, std::size_t width) const {
        if (offset > m_bytes.size() || width > m_bytes.size() - offset) return std::nullopt;
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < width; ++i)
            value = (value << 8) | std::to_integer<std::uint64_t>(m_bytes[offset + i]);
        return value;
    }
    [[nodiscard]] std::optional<std::uint64_t> read(std::size_t offset, std::size_t width,
                                                    bool big_endian) const {
        return big_endian ? be(offset, width) : le(offset, width);
    }
    [[nodiscard]] std::optional<std::uint8_t> u8(std::size_t offset) const {
        if (offset >= m_bytes.size()) return std::nullopt;
        return std::to_integer<std::uint8_t>(m_bytes[offset]);
    }

private:
    std::span<const std::byte> m_bytes;
};

}  // namespace deskext::binfmt::detail
