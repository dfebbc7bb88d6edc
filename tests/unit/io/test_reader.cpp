#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <memory>
#include <string>

#include "deskext/digest.hpp"
#include "deskext/io/reader.hpp"
#include "fixtures/temp_dir.hpp"

using deskext::ErrorCode;
using deskext::StringReader;
using deskext::VerifyingReader;

namespace {

std::unique_ptr<deskext::Reader> string_reader(std::string data) {
    return std::make_unique<StringReader>(std::move(data));
}

// Yields its data a few bytes at a time, as a network stream does.
class TrickleReader final : public deskext::Reader {
public:
    TrickleReader(std::string data, std::size_t step) : m_data(std::move(data)), m_step(step) {}
    deskext::Result<std::size_t> read(std::span<std::byte> buffer) override {
        const std::size_t n = std::min({buffer.size(), m_step, m_data.size() - m_pos});
        std::memcpy(buffer.data(), m_data.data() + m_pos, n);
        m_pos += n;
        return n;
    }

private:
    std::string m_data;
    std::size_t m_step;
    std::size_t m_pos = 0;
};

std::string blob_data() {
    std::string data;
    for (int i = 0; i < 200000; ++i) data.push_back(static_cast<char>(i * 31 % 251));
    return data;
}

void write_file(const std::filesystem::path& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary);
    out << data;
}

}  // namespace

TEST_CASE("io: VerifyingReader passes a good blob through", "[io]") {
    const std::string data = blob_data();
    VerifyingReader reader(string_reader(data), deskext::sha256_of(data),
                           static_cast<std::int64_t>(data.size()));
    auto all = deskext::read_all(reader, data.size());
    REQUIRE(all);
    CHECK(*all == data);
    CHECK(reader.bytes_read() == static_cast<std::int64_t>(data.size()));
    // After the end, reads keep returning 0.
    std::array<std::byte, 16> buffer{};
    auto again = reader.read(buffer);
    REQUIRE(again);
    CHECK(*again == 0);
}

TEST_CASE("io: VerifyingReader verifies a trickled blob and an empty one", "[io]") {
    const std::string data = blob_data();
    VerifyingReader reader(std::make_unique<TrickleReader>(data, 7), deskext::sha256_of(data),
                           static_cast<std::int64_t>(data.size()));
    auto drained = deskext::read_all(reader, data.size());
    REQUIRE(drained);
    CHECK(*drained == data);

    VerifyingReader empty(string_reader(""), deskext::sha256_of(""), 0);
    auto none = deskext::read_all(empty, 1);
    REQUIRE(none);
    CHECK(none->empty());
}

TEST_CASE("io: VerifyingReader refuses a blob with one byte flipped", "[io]") {
    const std::string data = blob_data();
    const auto expected = deskext::sha256_of(data);
    std::string flipped = data;
    flipped[12345] = static_cast<char>(flipped[12345] ^ 0x01);
    VerifyingReader reader(string_reader(flipped), expected,
                           static_cast<std::int64_t>(data.size()));
    auto result = deskext::read_all(reader, data.size());
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::integrity);
    CHECK(result.error().message.find(expected.str()) != std::string::npos);
    CHECK(result.error().message.find(deskext::sha256_of(flipped).str()) != std::string::npos);
    // A failed blob never reads as verified afterwards.
    std::array<std::byte, 16> buffer{};
    auto again = reader.read(buffer);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == ErrorCode::integrity);
}

TEST_CASE("io: VerifyingReader refuses a blob longer than its descriptor at once", "[io]") {
    const std::string data = blob_data();
    const std::string longer = data + "x";
    const auto expected = deskext::sha256_of(data);
    VerifyingReader reader(std::make_unique<TrickleReader>(longer, 1000), expected,
                           static_cast<std::int64_t>(data.size()));
    std::array<std::byte, 4096> buffer{};
    std::int64_t total = 0;
    deskext::Error error;
    for (;;) {
        auto n = reader.read(buffer);
        if (!n) {
            error = n.error();
            break;
        }
        REQUIRE(*n != 0);  // must fail before the end of the stream
        total += static_cast<std::int64_t>(*n);
    }
    CHECK(error.code == ErrorCode::integrity);
    CHECK(error.message.find("is larger than its descriptor says (" +
                             std::to_string(data.size()) + " bytes)") != std::string::npos);
    CHECK(error.message.find(expected.str()) != std::string::npos);
    CHECK(total <= static_cast<std::int64_t>(data.size()));
}

TEST_CASE("io: VerifyingReader refuses a truncated blob", "[io]") {
    const std::string data = blob_data();
    const std::string shorter = data.substr(0, data.size() - 1);
    const auto expected = deskext::sha256_of(data);
    VerifyingReader reader(string_reader(shorter), expected,
                           static_cast<std::int64_t>(data.size()));
    auto result = deskext::read_all(reader, data.size());
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::integrity);
    CHECK(result.error().message.find(expected.str()) != std::string::npos);
    CHECK(result.error().message.find(deskext::sha256_of(shorter).str()) != std::string::npos);
}

TEST_CASE("io: read_all stops at the cap with the given error code", "[io]") {
    StringReader exact(std::string(100, 'a'));
    auto ok = deskext::read_all(exact, 100);
    REQUIRE(ok);
    CHECK(ok->size() == 100);

    StringReader over(std::string(101, 'a'));
    auto refused = deskext::read_all(over, 100);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::invalid_extension);
    CHECK(refused.error().message.find("100") != std::string::npos);

    StringReader big(std::string(1 << 20, 'a'));
    auto custom = deskext::read_all(big, 10, ErrorCode::network);
    REQUIRE_FALSE(custom);
    CHECK(custom.error().code == ErrorCode::network);

    StringReader zero_cap("");
    CHECK(deskext::read_all(zero_cap, 0).value().empty());
}

TEST_CASE("io: open_file_reader reads a whole file and a range", "[io]") {
    deskext::fixtures::TempDir tmp;
    const std::string data = blob_data();
    const auto path = tmp / "blob";
    write_file(path, data);

    auto whole = deskext::open_file_reader(path.string());
    REQUIRE(whole);
    CHECK(deskext::read_all(**whole, data.size()).value() == data);

    auto range = deskext::open_file_reader(path.string(), 1000, 70000);
    REQUIRE(range);
    CHECK(deskext::read_all(**range, data.size()).value() == data.substr(1000, 70000));

    auto tail = deskext::open_file_reader(path.string(), 150000);
    REQUIRE(tail);
    CHECK(deskext::read_all(**tail, data.size()).value() == data.substr(150000));

    auto empty = deskext::open_file_reader(path.string(), 10, 0);
    REQUIRE(empty);
    CHECK(deskext::read_all(**empty, 10).value().empty());

    // A range that runs past the end of the file is a truncated blob.
    auto past = deskext::open_file_reader(path.string(), 199990, 100);
    REQUIRE(past);
    auto truncated = deskext::read_all(**past, 1000);
    REQUIRE_FALSE(truncated);
    CHECK(truncated.error().code == ErrorCode::integrity);
    CHECK(truncated.error().message.find(path.string()) != std::string::npos);

    // Composes with verification.
    auto inner = deskext::open_file_reader(path.string(), 5, 100);
    REQUIRE(inner);
    VerifyingReader verified(std::move(*inner), deskext::sha256_of(data.substr(5, 100)), 100);
    CHECK(deskext::read_all(verified, 100).value() == data.substr(5, 100));
}

TEST_CASE("io: open_file_reader reports a missing file as not_found", "[io]") {
    deskext::fixtures::TempDir tmp;
    const auto path = (tmp / "missing").string();
    auto reader = deskext::open_file_reader(path);
    REQUIRE_FALSE(reader);
    CHECK(reader.error().code == ErrorCode::not_found);
    CHECK(reader.error().message.find(path) != std::string::npos);

    auto directory = deskext::open_file_reader(tmp.path().string());
    REQUIRE_FALSE(directory);
    CHECK(directory.error().code == ErrorCode::filesystem);
}
