// Built only with ISA-L (tests/CMakeLists.txt), as runtime/src/layer/gzip_inflate_reader.cpp is.
#include "layer/gzip_inflate_reader.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "deskext/layer/layer_reader.hpp"
#include "fixtures/tar_builder.hpp"
#include "layer_test_readers.hpp"

using deskext::testing::FailingReader;
using deskext::testing::random_bytes;

namespace {

using deskext::ErrorCode;
using deskext::Reader;
using deskext::Result;
using deskext::StringReader;
using deskext::fixtures::TarCompression;
using deskext::layer::GzipInflateReader;
using Failure = deskext::layer::GzipInflateReader::Failure;

// Compressible, not trivially: words picked at random.
std::string text(std::size_t n, unsigned seed = 5) {
    static const std::array<const char*, 8> words{"layer ",   "tar ",   "gzip ",    "member ",
                                                  "inflate ", "ISA-L ", "deskext ", "\n"};
    std::mt19937 gen(seed);
    std::string out;
    while (out.size() < n) out += words[gen() % words.size()];
    out.resize(n);
    return out;
}

// One gzip member of `data`, as libarchive's writer makes it: a 10-byte header, no flags.
std::string gzip(const std::string& data) {
    std::string member = deskext::fixtures::compress(data, TarCompression::gzip);
    REQUIRE(member.size() >= 18);
    REQUIRE(member[3] == 0);
    return member;
}

std::uint32_t crc32(std::string_view bytes) {
    std::uint32_t crc = 0xffffffffu;
    for (char c : bytes) {
        crc ^= static_cast<unsigned char>(c);
        for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

void put_le16(std::string& out, std::size_t v) {
    out += static_cast<char>(v & 0xffu);
    out += static_cast<char>((v >> 8) & 0xffu);
}

struct HeaderFields {
    std::optional<std::string> extra, name, comment;
    bool header_crc = false;
};

// `member` with its header rewritten to carry the optional fields.
std::string with_fields(const std::string& member, const HeaderFields& f) {
    std::uint8_t flags = 0;
    if (f.header_crc) flags |= 0x02;
    if (f.extra) flags |= 0x04;
    if (f.name) flags |= 0x08;
    if (f.comment) flags |= 0x10;
    std::string header = member.substr(0, 10);
    header[3] = static_cast<char>(flags);
    if (f.extra) {
        put_le16(header, f.extra->size());
        header += *f.extra;
    }
    if (f.name) header += *f.name + '\0';
    if (f.comment) header += *f.comment + '\0';
    if (f.header_crc) put_le16(header, crc32(header) & 0xffffu);
    return header + member.substr(10);
}

// Serves its data at most `step` bytes a read, as a network stream does.
class TrickleReader final : public Reader {
public:
    TrickleReader(std::string data, std::size_t step) : m_data(std::move(data)), m_step(step) {}
    Result<std::size_t> read(std::span<std::byte> buffer) override {
        const std::size_t n = std::min({buffer.size(), m_step, m_data.size() - m_pos});
        std::memcpy(buffer.data(), m_data.data() + m_pos, n);
        m_pos += n;
        return n;
    }
    [[nodiscard]] std::size_t unread() const { return m_data.size() - m_pos; }

private:
    std::string m_data;
    std::size_t m_step;
    std::size_t m_pos = 0;
};

// Everything the inflater yields, read `chunk` bytes at a time.
Result<std::string> inflate_all(GzipInflateReader& inflater, std::size_t chunk = 256 * 1024) {
    std::vector<std::byte> buffer(chunk);
    std::string out;
    for (;;) {
        DESKEXT_TRY_ASSIGN(std::size_t n, inflater.read(buffer));
        if (n == 0) return out;
        REQUIRE(n <= chunk);
        out.append(reinterpret_cast<const char*>(buffer.data()), n);
    }
}

Result<std::string> inflate_string(std::string compressed, std::size_t step = 1u << 30,
                                   std::size_t chunk = 256 * 1024) {
    TrickleReader source(std::move(compressed), step);
    GzipInflateReader inflater(source);
    return inflate_all(inflater, chunk);
}

}  // namespace

TEST_CASE("gzip inflate: one member", "[layer][gzip]") {
    const std::string data = text(3u << 20) + random_bytes(700 * 1024, 11);
    const std::string member = gzip(data);
    TrickleReader source(member, 1u << 30);
    GzipInflateReader inflater(source);
    auto out = inflate_all(inflater);
    REQUIRE(out);
    CHECK(*out == data);
    CHECK(inflater.bytes_out() == static_cast<std::int64_t>(data.size()));
    CHECK(inflater.bytes_in() == static_cast<std::int64_t>(member.size()));
    CHECK(inflater.source_at_end());
    CHECK(inflater.failure() == Failure::none);
    std::array<std::byte, 4> more{};
    auto again = inflater.read(more);
    REQUIRE(again);
    CHECK(*again == 0);

    SECTION("whatever the sizes of the reads on either side") {
        const std::string small = text(150 * 1024, 9);
        const std::string small_member = gzip(small);
        for (std::size_t step : {1u, 7u, 4096u}) {
            for (std::size_t chunk : {1u, 13u, 65536u}) {
                INFO("source step " << step << ", output chunk " << chunk);
                auto got = inflate_string(small_member, step, chunk);
                REQUIRE(got);
                CHECK(*got == small);
            }
        }
    }
    SECTION("an empty member") {
        auto got = inflate_string(gzip(""));
        REQUIRE(got);
        CHECK(got->empty());
    }
}

TEST_CASE("gzip inflate: members concatenated are one stream", "[layer][gzip]") {
    const std::string a = text(900 * 1024, 1);
    const std::string b = random_bytes(300 * 1024, 2);
    const std::string c = text(5, 3);
    const std::string stream = gzip(a) + gzip("") + gzip(b) + gzip(c);
    for (std::size_t step : {std::size_t{1} << 30, std::size_t{3}}) {
        INFO("source step " << step);
        TrickleReader source(stream, step);
        GzipInflateReader inflater(source);
        auto out = inflate_all(inflater, 100 * 1024);
        REQUIRE(out);
        CHECK(out->size() == a.size() + b.size() + c.size());
        CHECK(*out == a + b + c);
        CHECK(inflater.bytes_in() == static_cast<std::int64_t>(stream.size()));
    }
}

TEST_CASE("gzip inflate: optional header fields are skipped, FHCRC checked", "[layer][gzip]") {
    const std::string data = text(200 * 1024, 4);
    const std::string member = gzip(data);
    const std::vector<HeaderFields> cases{
        {"xx\x01\x02", std::nullopt, std::nullopt, false},
        {std::nullopt, "layer.tar", std::nullopt, false},
        {std::nullopt, std::nullopt, "made by hand", false},
        {std::nullopt, std::nullopt, std::nullopt, true},
        {std::string(70, 'e'), "name", "comment", true},
        // Longer than the input buffer: the field spans refills.
        {std::nullopt, std::string(300 * 1024, 'n'), std::string(5, 'c'), true},
        {std::string(65535, '\0'), std::nullopt, std::nullopt, true},
    };
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const std::string stream =
            with_fields(member, cases[i]) + with_fields(gzip("tail"), cases[i]);
        for (std::size_t step : {std::size_t{1} << 30, std::size_t{1}}) {
            // Byte-at-a-time reads split every field; not worth it for the huge ones.
            if (step == 1 && stream.size() > 200 * 1024) continue;
            INFO("case " << i << ", source step " << step);
            auto got = inflate_string(stream, step);
            INFO((got ? "" : got.error().message));
            REQUIRE(got);
            CHECK(*got == data + "tail");
        }
    }
    SECTION("a header CRC that does not match") {
        std::string bad = with_fields(member, {std::nullopt, "n", std::nullopt, true});
        bad[10 + 2] = static_cast<char>(bad[10 + 2] ^ 0x01);  // the CRC16 after "n\0"
        auto got = inflate_string(bad);
        REQUIRE(!got);
        CHECK(got.error().code == ErrorCode::invalid_extension);
        CHECK_THAT(got.error().message, Catch::Contains("header CRC"));
    }
    SECTION("reserved flags and unknown methods in the first member") {
        std::string reserved = member;
        reserved[3] = static_cast<char>(0x20);
        auto got = inflate_string(reserved);
        REQUIRE(!got);
        CHECK_THAT(got.error().message, Catch::Contains("reserved header flags"));
        std::string method = member;
        method[2] = 7;
        got = inflate_string(method);
        REQUIRE(!got);
        CHECK_THAT(got.error().message, Catch::Contains("unknown compression method 7"));
    }
}

TEST_CASE("gzip inflate: the trailer's CRC-32 and ISIZE are checked", "[layer][gzip][hostile]") {
    const std::string data = text(100 * 1024, 6);
    const std::string member = gzip(data);
    const std::size_t trailer = member.size() - 8;
    for (std::size_t at : {trailer, trailer + 3, trailer + 4, trailer + 7}) {
        INFO("byte " << at - trailer << " of the trailer");
        std::string bad = member;
        bad[at] = static_cast<char>(bad[at] ^ 0x40);
        // In the second member too: every member is checked, not only the first.
        for (const std::string& stream : {bad, gzip("first") + bad}) {
            TrickleReader source(stream, 1u << 30);
            GzipInflateReader inflater(source);
            auto got = inflate_all(inflater);
            REQUIRE(!got);
            CHECK(got.error().code == ErrorCode::invalid_extension);
            CHECK_THAT(got.error().message, Catch::Contains("does not match the member's trailer"));
            CHECK(inflater.failure() == Failure::corrupt);
            // The error sticks.
            auto again = inflate_all(inflater);
            REQUIRE(!again);
            CHECK(again.error().message == got.error().message);
        }
    }
    SECTION("corrupt deflate data") {
        std::string bad = gzip(random_bytes(64 * 1024, 11));
        for (std::size_t i = 12; i < 40; ++i) bad[i] = static_cast<char>(0xff);
        auto got = inflate_string(bad);
        REQUIRE(!got);
        CHECK_THAT(got.error().message, Catch::StartsWith("gzip member 1: "));
    }
}

TEST_CASE("gzip inflate: a truncated stream is an error", "[layer][gzip][hostile]") {
    const std::string data = random_bytes(200 * 1024, 8);
    const std::string member = with_fields(gzip(data), {std::nullopt, "name", std::nullopt, true});
    for (std::size_t cut : {std::size_t{5}, std::size_t{12}, member.size() / 2, member.size() - 8,
                            member.size() - 1}) {
        INFO("cut at " << cut << " of " << member.size());
        std::vector<std::string> streams{member.substr(0, cut)};
        // After a member, fewer than the ten fixed header bytes are data after the stream.
        if (cut >= 10) streams.push_back(gzip("a") + member.substr(0, cut));
        for (const std::string& stream : streams) {
            auto got = inflate_string(stream);
            REQUIRE(!got);
            CHECK(got.error().code == ErrorCode::invalid_extension);
            CHECK_THAT(got.error().message, Catch::StartsWith("gzip stream is truncated: "));
        }
    }
}

TEST_CASE("gzip inflate: what is not gzip, and what follows the last member",
          "[layer][gzip][hostile]") {
    SECTION("not gzip at all") {
        for (const std::string& stream :
             {std::string(), std::string("\x1f"), std::string("hello world, not gzip"),
              deskext::fixtures::make_tar({deskext::fixtures::file("a", "b")},
                                          TarCompression::none)}) {
            TrickleReader source(stream, 1u << 30);
            GzipInflateReader inflater(source);
            auto got = inflate_all(inflater);
            REQUIRE(!got);
            CHECK(got.error().code == ErrorCode::invalid_extension);
            CHECK(inflater.failure() == Failure::not_gzip);
        }
    }
    SECTION("bytes that do not start a member end the stream, unread") {
        const std::string member = gzip(text(50 * 1024));
        for (const std::string& trailing :
             {std::string("garbage"), std::string(4096, '\0'), random_bytes(100 * 1024, 4),
              std::string("\x1f\x8b\x07") + std::string(20, 'x')}) {
            TrickleReader source(member + trailing, 1024);
            GzipInflateReader inflater(source);
            auto got = inflate_all(inflater);
            REQUIRE(got);
            CHECK(*got == text(50 * 1024));
            if (trailing.size() > 2048) {
                CHECK(source.unread() > 0);
                CHECK_FALSE(inflater.source_at_end());
            }
        }
    }
    SECTION("the start of another member that is cut short") {
        const std::string member = gzip("x");
        auto got = inflate_string(member + gzip("yyyy").substr(0, 14));
        REQUIRE(!got);
        CHECK_THAT(got.error().message, Catch::Contains("truncated"));
    }
}

TEST_CASE("gzip inflate: the source's error passes through", "[layer][gzip]") {
    const std::string member = gzip(random_bytes(100 * 1024, 11));
    FailingReader source(member.substr(0, member.size() / 2));
    GzipInflateReader inflater(source);
    auto got = inflate_all(inflater);
    REQUIRE(!got);
    CHECK(got.error().code == ErrorCode::integrity);
    CHECK(got.error().message == "blob sha256:feed is truncated");
    CHECK(inflater.failure() == Failure::source);
}

TEST_CASE("gzip inflate: a bomb costs a buffer at a time", "[layer][gzip][hostile]") {
    // 64 MiB of zeros in about 64 KiB: each read yields at most what it was given room for, so
    // the layer reader's caps, checked between reads, stop it early ("layer: a gzip bomb is
    // stopped as soon as it passes the ratio").
    const std::string bomb = gzip(std::string(std::size_t{64} << 20, '\0'));
    REQUIRE(bomb.size() < 128 * 1024);
    TrickleReader source(bomb, 1u << 30);
    GzipInflateReader inflater(source);
    std::vector<std::byte> buffer(256 * 1024);
    auto n = inflater.read(buffer);
    REQUIRE(n);
    CHECK(*n > 0);
    CHECK(*n <= buffer.size());
    CHECK(inflater.bytes_out() == static_cast<std::int64_t>(*n));
    // Input is pulled a buffer at a time too, not the whole stream.
    CHECK(inflater.bytes_in() <= 256 * 1024);
}

TEST_CASE("gzip inflate: the layer reader refuses a member whose CRC-32 is wrong",
          "[layer][gzip][hostile]") {
    // Even when the damage is after the tar's end-of-archive blocks: finish() inflates the rest.
    const std::string tar = deskext::fixtures::make_tar(
        {deskext::fixtures::file("a", text(20 * 1024))}, TarCompression::none);
    std::string stream = gzip(tar);
    stream[stream.size() - 6] = static_cast<char>(stream[stream.size() - 6] ^ 0x10);
    for (const std::string& layer : {stream, gzip(tar) + stream}) {
        StringReader source(layer);
        auto reader = deskext::layer::LayerReader::open(source, deskext::oci::Compression::gzip);
        Result<void> outcome{};
        if (!reader) outcome = std::unexpected(reader.error());  // all inflated at once
        while (reader) {
            auto entry = reader->next();
            if (!entry) {
                outcome = std::unexpected(entry.error());
                break;
            }
            if (!*entry) {
                outcome = reader->finish();
                break;
            }
        }
        REQUIRE(!outcome);
        CHECK(outcome.error().code == ErrorCode::invalid_extension);
        CHECK_THAT(outcome.error().message,
                   Catch::StartsWith("layer is not a valid tar: gzip member "));
    }
}
