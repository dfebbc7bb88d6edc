#include <catch2/catch.hpp>

#include <array>
#include <string>

#include "deskext/digest.hpp"

using deskext::Digest;
using deskext::ErrorCode;

namespace {

const std::string empty_hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const std::string abc_hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

}  // namespace

TEST_CASE("digest: parses a sha256 digest", "[digest]") {
    auto digest = Digest::parse("sha256:" + abc_hex);
    REQUIRE(digest);
    CHECK(digest->algorithm() == "sha256");
    CHECK(digest->hex() == abc_hex);
    CHECK(digest->str() == "sha256:" + abc_hex);
    CHECK_FALSE(digest->empty());
    CHECK(Digest{}.empty());
}

TEST_CASE("digest: refuses malformed digests with usage naming the text", "[digest]") {
    const std::string upper = "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
    const char* bad[] = {
        "",
        "sha256",
        "sha256:",
        ":abc",
        "sha512:abc",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha256:abc",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",    // 63
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8555",  // 65
        "sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "SHA256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        " sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    };
    for (const char* text : bad) {
        INFO(text);
        auto digest = Digest::parse(text);
        REQUIRE_FALSE(digest);
        CHECK(digest.error().code == ErrorCode::usage);
        CHECK(digest.error().message.find(text) != std::string::npos);
    }
    auto digest = Digest::parse(upper);
    REQUIRE_FALSE(digest);
    CHECK(digest.error().code == ErrorCode::usage);
    CHECK(digest.error().message.find(upper) != std::string::npos);
}

TEST_CASE("digest: known SHA-256 vectors", "[digest]") {
    CHECK(deskext::sha256_of("").str() == "sha256:" + empty_hex);
    CHECK(deskext::sha256_of("abc").str() == "sha256:" + abc_hex);
    CHECK(deskext::sha256_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq").hex() ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(deskext::sha256_of("abc") == *Digest::parse("sha256:" + abc_hex));
}

TEST_CASE("digest: incremental hashing equals one-shot hashing", "[digest]") {
    std::string data;
    for (int i = 0; i < 100000; ++i) data.push_back(static_cast<char>('a' + i % 26));
    const Digest one_shot = deskext::sha256_of(data);
    for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{4096}}) {
        deskext::Sha256 hash;
        for (std::size_t pos = 0; pos < data.size(); pos += piece)
            hash.update(std::string_view(data).substr(pos, piece));
        CHECK(hash.finish() == one_shot);
    }
    deskext::Sha256 bytes;
    bytes.update(std::as_bytes(std::span(data)));
    deskext::Sha256 moved = std::move(bytes);
    CHECK(moved.finish() == one_shot);
}

TEST_CASE("digest: from_sha256 writes lower-case hex", "[digest]") {
    std::array<unsigned char, 32> raw{};
    raw[0] = 0xAB;
    raw[31] = 0x0F;
    const Digest digest = Digest::from_sha256(raw);
    CHECK(digest.hex() == "ab" + std::string(60, '0') + "0f");
    CHECK(Digest::parse(digest.str()).value() == digest);
}
