#pragma once
// The per-format detectors behind detect_format: each returns nothing when the bytes are not
// its format, so the next one can try.

#include <optional>
#include <string>

#include "binfmt/byte_view.hpp"
#include "deskext/binfmt/binary_format.hpp"

namespace deskext::binfmt::detail {

[[nodiscard]] std::optional<BinaryFormat> detect_elf(const ByteView& bytes);
[[nodiscard]] std::optional<BinaryFormat> detect_macho(const ByteView& bytes);
[[nodiscard]] std::optional<BinaryFormat> detect_pe(const ByteView& bytes);

// "machine-0x<hex>": an architecture with no common name.
[[nodiscard]] std::string unnamed_machine(std::uint64_t machine);

}  // namespace deskext::binfmt::detail
