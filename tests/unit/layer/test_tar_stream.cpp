#include "layer/tar_stream.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "fixtures/tar_builder.hpp"

namespace {

using deskext::Result;
using deskext::StringReader;
using deskext::fixtures::raw_pax_member;
using deskext::fixtures::raw_tar_end;
using deskext::fixtures::raw_tar_member;
using deskext::layer::TarHeader;
using deskext::layer::TarStream;

struct Read {
    std::vector<TarHeader> headers;
    std::vector<std::string> data;
};

// Every entry of `tar` with its data, as TarStream gives them.
Result<Read> read_all(const std::string& tar) {
    StringReader input(tar);
    TarStream stream(input, 1024);
    Read out;
    std::vector<std::byte> buffer(100);
    while (true) {
        DESKEXT_TRY_ASSIGN(auto header, stream.next());
        if (!header) return out;
        std::string data;
        while (true) {
            DESKEXT_TRY_ASSIGN(const std::size_t n, stream.read(buffer));
            if (n == 0) break;
            data.append(reinterpret_cast<const char*>(buffer.data()), n);
        }
        out.headers.push_back(std::move(*header));
        out.data.push_back(std::move(data));
    }
}

std::string failure_of(const std::string& tar) {
    auto read = read_all(tar);
    REQUIRE(!read);
    return read.error().message;
}

std::string padded(std::string text) {
    text.resize((text.size() + 511) / 512 * 512, '\0');
    return text;
}

}  // namespace

TEST_CASE("tar stream: GNU sparse files in PAX form read with their holes as zeros",
          "[layer][tar]") {
    const std::string expected = std::string("a") + std::string(8, '\0') + "b";
    SECTION("format 0.1, the map in the records") {
        const auto read = read_all(
            raw_pax_member({{"GNU.sparse.major", "0"}, {"GNU.sparse.minor", "1"},
                            {"GNU.sparse.name", "dir/sparse"}, {"GNU.sparse.realsize", "10"},
                            {"GNU.sparse.numblocks", "2"}, {"GNU.sparse.map", "0,1,9,1"}}) +
            raw_tar_member({"GNUSparseFile.0/sparse", '0', 0644, {}, -1}, "ab") + raw_tar_end());
        REQUIRE(read);
        REQUIRE(read->headers.size() == 1);
        CHECK(read->headers[0].name == "dir/sparse");
        CHECK(read->headers[0].size == 10);
        CHECK(read->data[0] == expected);
    }
    SECTION("format 1.0, the map at the start of the data") {
        const auto read = read_all(
            raw_pax_member({{"GNU.sparse.major", "1"}, {"GNU.sparse.minor", "0"},
                            {"GNU.sparse.name", "sparse"}, {"GNU.sparse.realsize", "10"}}) +
            raw_tar_member({"GNUSparseFile.0/sparse", '0', 0644, {}, -1},
                           padded("2\n0\n1\n9\n1\n") + "ab") +
            raw_tar_end());
        REQUIRE(read);
        CHECK(read->headers[0].name == "sparse");
        CHECK(read->data[0] == expected);
    }
}

TEST_CASE("tar stream: a sparse map that does not match its data is refused", "[layer][tar]") {
    const auto sparse = [](const std::string& map, const std::string& size,
                           const std::string& data) {
        return raw_pax_member({{"GNU.sparse.major", "0"}, {"GNU.sparse.minor", "1"},
                               {"GNU.sparse.realsize", size}, {"GNU.sparse.numblocks", "1"},
                               {"GNU.sparse.map", map}}) +
               raw_tar_member({"s", '0', 0644, {}, -1}, data) + raw_tar_end();
    };
    CHECK_THAT(failure_of(sparse("0,5", "5", "ab")), Catch::Contains("does not hold"));
    CHECK_THAT(failure_of(sparse("0,1", "1", "ab")), Catch::Contains("does not reference"));
    CHECK_THAT(failure_of(sparse("4,5", "5", "ab")), Catch::Contains("invalid tar header"));
}

TEST_CASE("tar stream: headers are read as Go reads them", "[layer][tar]") {
    SECTION("type NUL is a directory when its name ends in a slash") {
        const auto read = read_all(raw_tar_member({"d/", '\0', 0755, {}, -1}) +
                                   raw_tar_member({"f", '\0', 0644, {}, -1}, "x") +
                                   raw_tar_end());
        REQUIRE(read);
        CHECK(read->headers[0].typeflag == '5');
        CHECK(read->headers[1].typeflag == '0');
    }
    SECTION("a GNU long name applies to the next entry, a global header is an entry") {
        const auto read = read_all(raw_tar_member({"././@LongLink", 'L', 0644, {}, -1},
                                                  std::string(150, 'n') + '\0') +
                                   raw_tar_member({"short", '0', 0644, {}, -1}, "x") +
                                   raw_tar_member({"global", 'g', 0644, {}, -1}, "8 a=bcd\n") +
                                   raw_tar_end());
        REQUIRE(read);
        REQUIRE(read->headers.size() == 2);
        CHECK(read->headers[0].name == std::string(150, 'n'));
        CHECK(read->headers[1].typeflag == 'g');
    }
    SECTION("the end of the stream where a header would start ends the archive") {
        const auto read = read_all(raw_tar_member({"f", '0', 0644, {}, -1}, "x"));
        REQUIRE(read);
        CHECK(read->data == std::vector<std::string>{"x"});
    }
    SECTION("data cut short, a bad checksum, a zero block then a header: refused") {
        CHECK_THAT(failure_of(raw_tar_member({"f", '0', 0644, {}, 1000}, "x")),
                   Catch::Contains("unexpected end"));
        std::string bad = raw_tar_member({"f", '0', 0644, {}, -1}, "x");
        bad[0] = 'g';
        CHECK_THAT(failure_of(bad), Catch::Contains("checksum"));
        CHECK_THAT(failure_of(std::string(512, '\0') + raw_tar_member({"f", '0', 0644, {}, -1})),
                   Catch::Contains("zero block"));
        CHECK_THAT(failure_of(raw_pax_member({{"path", std::string("a\0b", 3)}}) +
                              raw_tar_member({"f", '0', 0644, {}, -1}) + raw_tar_end()),
                   Catch::Contains("PAX"));
    }
}
