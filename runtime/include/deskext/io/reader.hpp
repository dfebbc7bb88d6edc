#pragma once
// A pull-based byte stream: how blobs travel from an image source to the layer reader without
// ever being held whole in memory.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>

#include "deskext/digest.hpp"
#include "deskext/error.hpp"

namespace deskext {

class Reader {
public:
    virtual ~Reader() = default;
    // Reads up to buffer.size() bytes; 0 means end of stream.
    [[nodiscard]] virtual Result<std::size_t> read(std::span<std::byte> buffer) = 0;
};

// Wraps a reader of a blob and checks it against its descriptor while it is read: more bytes
// than `expected_size` fail at once; at end of stream a short read or a digest mismatch fails
// with ErrorCode::integrity. Nothing read from it may be trusted before it returned 0.
class VerifyingReader final : public Reader {
public:
    VerifyingReader(std::unique_ptr<Reader> inner, Digest expected, std::int64_t expected_size);
    [[nodiscard]] Result<std::size_t> read(std::span<std::byte> buffer) override;
    [[nodiscard]] std::int64_t bytes_read() const { return m_read; }
    // What it checks against (before it failed: a failure forgets the digest).
    [[nodiscard]] const Digest& expected() const { return m_expected; }
    [[nodiscard]] std::int64_t expected_size() const { return m_expected_size; }

private:
    std::unique_ptr<Reader> m_inner;
    Digest m_expected;
    std::int64_t m_expected_size;
    std::int64_t m_read = 0;
    Sha256 m_hash;
    bool m_done = false;
};

// Reads a whole stream into a string, failing with `too_big` (ErrorCode::invalid_extension
// unless given) once more than `cap` bytes arrive: every JSON document is read this way.
[[nodiscard]] Result<std::string> read_all(Reader& reader, std::size_t cap,
                                           ErrorCode too_big = ErrorCode::invalid_extension);

// A reader over a string held in memory (tests, small documents).
class StringReader final : public Reader {
public:
    explicit StringReader(std::string data) : m_data(std::move(data)) {}
    [[nodiscard]] Result<std::size_t> read(std::span<std::byte> buffer) override;

private:
    std::string m_data;
    std::size_t m_pos = 0;
};

// A reader over a byte range of a file (offset, length), or the whole file when length < 0.
[[nodiscard]] Result<std::unique_ptr<Reader>> open_file_reader(const std::filesystem::path& path,
                                                               std::int64_t offset = 0,
                                                               std::int64_t length = -1);

}  // namespace deskext
