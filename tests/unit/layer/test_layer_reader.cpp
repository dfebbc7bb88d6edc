#include "deskext/layer/layer_reader.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "fixtures/tar_builder.hpp"
#include "layer_test_readers.hpp"

using deskext::testing::FailingReader;
using deskext::testing::random_bytes;

namespace {

using deskext::ErrorCode;
using deskext::Limits;
using deskext::Reader;
using deskext::Result;
using deskext::StringReader;
using deskext::fixtures::make_tar;
using deskext::fixtures::TarCompression;
using deskext::fixtures::TarEntry;
using deskext::fixtures::TarType;
using deskext::layer::Entry;
using deskext::layer::EntryType;
using deskext::layer::LayerReader;
using deskext::oci::Compression;

Compression to_oci(TarCompression c) {
    switch (c) {
        case TarCompression::none: return Compression::none;
        case TarCompression::gzip: return Compression::gzip;
        case TarCompression::zstd: return Compression::zstd;
    }
    return Compression::none;
}

struct ReadLayer {
    std::vector<Entry> entries;
    std::map<std::string, std::string> data;  // regular files' data by path
};

// Reads a whole layer from `source`, every file's data included, then finish().
Result<ReadLayer> read_layer(Reader& source, Compression compression, const Limits& limits = {}) {
    DESKEXT_TRY_ASSIGN(LayerReader reader, LayerReader::open(source, compression, limits));
    ReadLayer out;
    std::vector<std::byte> buffer(4096);
    for (;;) {
        DESKEXT_TRY_ASSIGN(auto entry, reader.next());
        if (!entry) break;
        if (entry->type == EntryType::file) {
            std::string& data = out.data[entry->path];
            for (;;) {
                DESKEXT_TRY_ASSIGN(std::size_t n, reader.read_data(buffer));
                if (n == 0) break;
                data.append(reinterpret_cast<const char*>(buffer.data()), n);
            }
        }
        out.entries.push_back(std::move(*entry));
    }
    DESKEXT_TRY(reader.finish());
    return out;
}

Result<ReadLayer> read_tar(std::string tar, Compression compression, const Limits& limits = {}) {
    StringReader source(std::move(tar));
    return read_layer(source, compression, limits);
}

}  // namespace

TEST_CASE("layer: reads gzip, zstd and uncompressed layers", "[layer]") {
    const auto compression =
        GENERATE(TarCompression::gzip, TarCompression::zstd, TarCompression::none);
    const std::string big = random_bytes(700 * 1024, 7);
    std::vector<TarEntry> entries = {
        deskext::fixtures::dir("a", 0750),
        deskext::fixtures::file("a/b.txt", "hello", 0600),
        deskext::fixtures::file("a/big.bin", big, 04755),
        deskext::fixtures::symlink("a/link", "../etc/passwd"),
        deskext::fixtures::hardlink("a/hard", "a/b.txt"),
        TarEntry{"dev/null", TarType::char_device, {}, 0666, {}},
        TarEntry{"pipe", TarType::fifo, {}, 0644, {}},
        deskext::fixtures::file("empty", ""),
    };
    auto layer = read_tar(make_tar(entries, compression), to_oci(compression));
    REQUIRE(layer);
    REQUIRE(layer->entries.size() == entries.size());
    const auto& e = layer->entries;
    CHECK(e[0].path == "a");
    CHECK(e[0].type == EntryType::directory);
    CHECK(e[0].mode == 0750);
    CHECK(e[1].path == "a/b.txt");
    CHECK(e[1].type == EntryType::file);
    CHECK(e[1].mode == 0600);
    CHECK(e[1].size == 5);
    CHECK(e[2].mode == 04755);
    CHECK(e[2].size == static_cast<std::int64_t>(big.size()));
    CHECK(e[3].type == EntryType::symlink);
    CHECK(e[3].link_target == "../etc/passwd");
    CHECK(e[4].type == EntryType::hardlink);
    CHECK(e[4].link_target == "a/b.txt");
    CHECK(e[5].path == "dev/null");
    CHECK(e[5].type == EntryType::other);
    CHECK(e[6].type == EntryType::other);
    CHECK(e[7].size == 0);
    CHECK(layer->data.at("a/b.txt") == "hello");
    CHECK(layer->data.at("a/big.bin") == big);
    CHECK(layer->data.at("empty").empty());
}

TEST_CASE("layer: skips the data of entries that are not read", "[layer]") {
    const std::string big = random_bytes(600 * 1024, 3);
    const std::string tar = make_tar({deskext::fixtures::file("big", big),
                                      deskext::fixtures::file("small", "tail")},
                                     TarCompression::gzip);
    StringReader source(tar);
    auto reader = LayerReader::open(source, Compression::gzip);
    REQUIRE(reader);
    auto first = reader->next();
    REQUIRE(first);
    REQUIRE(*first);
    std::vector<std::byte> buffer(10);
    auto n = reader->read_data(buffer);  // a little of it only
    REQUIRE(n);
    CHECK(*n == 10);
    auto second = reader->next();
    REQUIRE(second);
    REQUIRE(*second);
    CHECK((*second)->path == "small");
    std::vector<std::byte> small(16);
    auto got = reader->read_data(small);
    REQUIRE(got);
    REQUIRE(*got == 4);
    CHECK(std::memcmp(small.data(), "tail", 4) == 0);
    auto end = reader->next();
    REQUIRE(end);
    CHECK(!*end);
    CHECK(reader->finish());
    CHECK(reader->uncompressed_bytes() >= static_cast<std::int64_t>(big.size()));
}

TEST_CASE("layer: normalises ./ prefixes and empty components", "[layer]") {
    const std::string tar = make_tar({deskext::fixtures::dir("./"),
                                      deskext::fixtures::dir("./etc/"),
                                      deskext::fixtures::file("./etc/hosts", "x"),
                                      deskext::fixtures::dir("usr//lib/./x/"),
                                      deskext::fixtures::hardlink("./h", "./etc/hosts")},
                                     TarCompression::none);
    auto layer = read_tar(tar, Compression::none);
    INFO((layer ? std::string() : layer.error().message));
    REQUIRE(layer);
    REQUIRE(layer->entries.size() == 5);
    CHECK(layer->entries[0].path.empty());
    CHECK(layer->entries[1].path == "etc");
    CHECK(layer->entries[2].path == "etc/hosts");
    CHECK(layer->entries[3].path == "usr/lib/x");
    CHECK(layer->entries[4].link_target == "etc/hosts");
}

TEST_CASE("layer: hostile names are refused, naming the entry", "[layer][hostile]") {
    struct Case {
        TarEntry entry;
        std::string shown;  // what the message must contain
    };
    const std::string long_name(5000, 'n');
    const std::vector<Case> cases = {
        {deskext::fixtures::file("../escape", "x"), "../escape"},
        {deskext::fixtures::file("a/../../escape", "x"), "a/../../escape"},
        {deskext::fixtures::file("./a/..", "x"), "./a/.."},
        {deskext::fixtures::file("/etc/passwd", "x"), "/etc/passwd"},
#ifdef _WIN32
        // libarchive built for Windows reads a tar name's '\\' as '/'.
        {deskext::fixtures::file("a\\..\\b", "x"), "a/../b"},
#else
        {deskext::fixtures::file("a\\..\\b", "x"), "a\\..\\b"},
#endif
        {deskext::fixtures::file("C:/Windows/x", "x"), "C:/Windows/x"},
        {deskext::fixtures::file("c:x", "x"), "c:x"},
        {deskext::fixtures::file(long_name, "x"), "longer than 4096"},
        {deskext::fixtures::hardlink("h", "../../etc/shadow"), "../../etc/shadow"},
        {deskext::fixtures::hardlink("h2", "/etc/shadow"), "/etc/shadow"},
        {deskext::fixtures::symlink("s", std::string(5000, 't')), "\"s\""},
    };
    for (const Case& c : cases) {
        INFO("entry " << c.entry.name.substr(0, 40));
        const std::string tar = make_tar({deskext::fixtures::file("ok", "fine"), c.entry},
                                         TarCompression::gzip);
        auto layer = read_tar(tar, Compression::gzip);
        REQUIRE(!layer);
        CHECK(layer.error().code == ErrorCode::invalid_extension);
        CHECK_THAT(layer.error().message, Catch::Contains(c.shown));
    }
}

TEST_CASE("layer: data that is not a tar is refused", "[layer][hostile]") {
    std::string garbage;
    for (int i = 0; i < 200; ++i) garbage += "this is certainly not a tar archive ";
    auto plain = read_tar(garbage, Compression::none);
    REQUIRE(!plain);
    CHECK(plain.error().code == ErrorCode::invalid_extension);
    CHECK_THAT(plain.error().message, Catch::StartsWith("layer is not a valid tar: "));

    SECTION("a gzip stream of something else") {
        // A zstd frame is not a gzip stream, and a gzip stream is no tar when read as one.
        const std::string tar = make_tar({deskext::fixtures::file("a", "b")}, TarCompression::zstd);
        auto as_gzip = read_tar(tar, Compression::gzip);
        REQUIRE(!as_gzip);
        CHECK(as_gzip.error().code == ErrorCode::invalid_extension);
        auto as_none = read_tar(make_tar({deskext::fixtures::file("a", "b")}), Compression::none);
        REQUIRE(!as_none);
        CHECK(as_none.error().code == ErrorCode::invalid_extension);
    }
    SECTION("an uncompressed tar declared compressed") {
        const std::string tar = make_tar({deskext::fixtures::file("a", "b")}, TarCompression::none);
        for (Compression c : {Compression::gzip, Compression::zstd}) {
            auto layer = read_tar(tar, c);
            REQUIRE(!layer);
            CHECK(layer.error().code == ErrorCode::invalid_extension);
            CHECK_THAT(layer.error().message, Catch::Contains("media type says"));
        }
    }
    SECTION("garbage where the next header should be") {
        const std::string tar =
            make_tar({deskext::fixtures::file("a", std::string(512, 'x'))}, TarCompression::none);
        // One header block and one data block, then garbage instead of the end-of-archive blocks.
        const std::string broken = tar.substr(0, 1024) + std::string(1024, 'G');
        auto layer = read_tar(broken, Compression::none);
        REQUIRE(!layer);
        CHECK(layer.error().code == ErrorCode::invalid_extension);
        CHECK_THAT(layer.error().message, Catch::StartsWith("layer is not a valid tar: "));
        // Where it broke: the second entry's header, after the first entry's two blocks.
        CHECK_THAT(layer.error().message, Catch::Contains("(at entry 2, "));
        CHECK_THAT(layer.error().message, Catch::Contains("bytes into the tar)"));
    }
}

TEST_CASE("layer: truncated gzip and zstd streams are refused", "[layer][hostile]") {
    const auto compression = GENERATE(TarCompression::gzip, TarCompression::zstd);
    const std::string tar = make_tar({deskext::fixtures::file("a", random_bytes(300 * 1024, 7)),
                                      deskext::fixtures::file("b", "c")},
                                     compression);
    const std::string truncated = tar.substr(0, tar.size() / 2);
    auto layer = read_tar(truncated, to_oci(compression));
    REQUIRE(!layer);
    CHECK(layer.error().code == ErrorCode::invalid_extension);
    CHECK_THAT(layer.error().message, Catch::StartsWith("layer is not a valid tar: "));
}

TEST_CASE("layer: an error of the source surfaces as itself", "[layer]") {
    SECTION("while entries are read") {
        const std::string tar =
            make_tar({deskext::fixtures::file("a", random_bytes(100 * 1024, 7))},
                     TarCompression::gzip);
        FailingReader source(tar.substr(0, tar.size() / 2));
        auto layer = read_layer(source, Compression::gzip);
        REQUIRE(!layer);
        CHECK(layer.error().code == ErrorCode::integrity);
        CHECK(layer.error().message == "blob sha256:feed is truncated");
    }
    SECTION("when the stream is finished") {
        const std::string tar = make_tar({deskext::fixtures::file("a", "b")}, TarCompression::none);
        FailingReader source(tar);
        auto layer = read_layer(source, Compression::none);
        REQUIRE(!layer);
        CHECK(layer.error().code == ErrorCode::integrity);
    }
    SECTION("a digest mismatch found by a VerifyingReader") {
        const std::string tar = make_tar({deskext::fixtures::file("a", "good")});
        const std::string other = make_tar({deskext::fixtures::file("a", "evil")});
        deskext::VerifyingReader source(std::make_unique<StringReader>(other),
                                        deskext::sha256_of(tar),
                                        static_cast<std::int64_t>(tar.size()));
        auto layer = read_layer(source, Compression::gzip);
        REQUIRE(!layer);
        CHECK(layer.error().code == ErrorCode::integrity);
    }
}

TEST_CASE("layer: the number of entries is capped", "[layer][hostile]") {
    std::vector<TarEntry> entries;
    for (int i = 0; i < 5; ++i) entries.push_back(deskext::fixtures::file(std::to_string(i), "x"));
    Limits limits;
    limits.max_entries_per_layer = 5;
    CHECK(read_tar(make_tar(entries), Compression::gzip, limits));
    limits.max_entries_per_layer = 4;
    auto layer = read_tar(make_tar(entries), Compression::gzip, limits);
    REQUIRE(!layer);
    CHECK(layer.error().code == ErrorCode::invalid_extension);
    CHECK_THAT(layer.error().message, Catch::Contains("more than 4 entries"));
}

TEST_CASE("layer: a decompression bomb is refused", "[layer][hostile]") {
    SECTION("gzip, below the ratio of its zeros") {
        const std::string zeros(8u << 20, '\0');
        const std::string tar =
            make_tar({deskext::fixtures::file("zeros", zeros)}, TarCompression::gzip);
        Limits limits;
        limits.max_compression_ratio = 100;
        auto layer = read_tar(tar, Compression::gzip, limits);
        REQUIRE(!layer);
        CHECK(layer.error().code == ErrorCode::invalid_extension);
        CHECK_THAT(layer.error().message,
                   Catch::StartsWith("layer expands more than 100 times: refusing a "
                                     "decompression bomb (raise with --max-ratio)"));
    }
    SECTION("zstd with the default limits, data never read") {
        const std::string tar = make_tar(
            {deskext::fixtures::file("zeros", std::string(32u << 20, '\0')),
             deskext::fixtures::file("after", "x")},
            TarCompression::zstd);
        StringReader source(tar);
        auto reader = LayerReader::open(source, Compression::zstd);
        REQUIRE(reader);
        auto first = reader->next();
        REQUIRE(first);
        auto second = reader->next();  // skipping the zeros trips the cap
        REQUIRE(!second);
        CHECK(second.error().code == ErrorCode::invalid_extension);
        CHECK_THAT(second.error().message, Catch::Contains("1000 times"));
    }
    SECTION("the image-wide uncompressed cap") {
        const std::string tar =
            make_tar({deskext::fixtures::file("a", random_bytes(64 * 1024, 7))});
        Limits limits;
        limits.max_uncompressed_bytes = 32 * 1024;
        auto layer = read_tar(tar, Compression::gzip, limits);
        REQUIRE(!layer);
        CHECK(layer.error().code == ErrorCode::invalid_extension);
    }
}

TEST_CASE("layer: a gzip layer of several members is one tar", "[layer]") {
    // pigz and tools that append to a layer write several gzip members; the tar runs across them.
    const std::string big = random_bytes(400 * 1024, 12);
    const std::string tar = make_tar(
        {deskext::fixtures::file("a", big), deskext::fixtures::file("b", "bee")},
        TarCompression::none);
    const std::size_t cut = 300 * 1024 + 17;
    const std::string layer =
        deskext::fixtures::compress(tar.substr(0, cut), TarCompression::gzip) +
        deskext::fixtures::compress(tar.substr(cut), TarCompression::gzip);
    auto read = read_tar(layer, Compression::gzip);
    INFO((read ? std::string() : read.error().message));
    REQUIRE(read);
    REQUIRE(read->entries.size() == 2);
    CHECK(read->data.at("a") == big);
    CHECK(read->data.at("b") == "bee");
}

TEST_CASE("layer: bytes after the last gzip member are ignored", "[layer]") {
    const std::string tar = make_tar({deskext::fixtures::file("a", "b")}, TarCompression::gzip);
    for (const std::string& trailing : {std::string("garbage"), std::string(1000, '\0')}) {
        auto read = read_tar(tar + trailing, Compression::gzip);
        INFO((read ? std::string() : read.error().message));
        REQUIRE(read);
        CHECK(read->data.at("a") == "b");
    }
}

TEST_CASE("layer: a gzip bomb is stopped as soon as it passes the ratio", "[layer][hostile]") {
    const std::string tar = make_tar(
        {deskext::fixtures::file("zeros", std::string(std::size_t{64} << 20, '\0'))},
        TarCompression::gzip);
    StringReader source(tar);
    Limits limits;
    limits.max_compression_ratio = 100;
    auto reader = LayerReader::open(source, Compression::gzip, limits);
    REQUIRE(reader);
    auto first = reader->next();
    REQUIRE(first);
    auto second = reader->next();  // skipping the zeros trips the cap
    REQUIRE(!second);
    CHECK_THAT(second.error().message, Catch::Contains("--max-ratio"));
    // Within a couple of buffers (256 KiB each) of the ratio times the whole compressed layer,
    // far from the 64 MiB it would become.
    const auto compressed = static_cast<std::int64_t>(tar.size());
    CHECK(reader->uncompressed_bytes() <= 100 * compressed + 2 * 256 * 1024);
}

TEST_CASE("layer: an empty stream is an empty layer, as Go reads it", "[layer]") {
    for (const auto compression : {TarCompression::none, TarCompression::gzip,
                                   TarCompression::zstd}) {
        auto layer = read_tar(deskext::fixtures::compress("", compression), to_oci(compression));
        INFO((layer ? std::string() : layer.error().message));
        REQUIRE(layer);
        CHECK(layer->entries.empty());
    }
}
