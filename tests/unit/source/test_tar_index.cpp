#include <catch2/catch.hpp>

#include <string>

#include "deskext/platform/utf8.hpp"
#include "fixtures/tar_builder.hpp"
#include "fixtures/temp_dir.hpp"
#include "source/tar_index.hpp"
#include "unit/source/source_helpers.hpp"

using deskext::ErrorCode;
using deskext::source::TarIndex;
namespace fx = deskext::fixtures;

namespace {

constexpr std::size_t many = 1000;

TarIndex scan_ok(const std::filesystem::path& path) {
    auto index = TarIndex::scan(path.string(), many);
    INFO((index ? std::string() : index.error().message));
    REQUIRE(index.has_value());
    return std::move(*index);
}

std::string read_ok(const TarIndex& index, std::string_view name) {
    auto text = index.read(name, 1u << 20);
    INFO(name << (text ? std::string() : ": " + text.error().message));
    REQUIRE(text.has_value());
    return *text;
}

}  // namespace

TEST_CASE("source: TarIndex finds member data in place, pax long names included", "[source]") {
    fx::TempDir tmp;
    const std::string long_dir(150, 'd');
    const std::string long_name = long_dir + "/" + std::string(120, 'n') + ".json";
    const std::string big(3 * 512 + 17, 'b');
    deskext::test::write_bytes(
        tmp / "t.tar", fx::make_tar({fx::file("short", "first"), fx::dir(long_dir),
                                     fx::file(long_name, "long!"), fx::file("./dotted/x", big),
                                     fx::file("\xc3\xa9t\xc3\xa9", "utf8"), fx::file("empty", "")},
                                    fx::TarCompression::none));
    const auto index = scan_ok(tmp / "t.tar");
    CHECK(read_ok(index, "short") == "first");
    CHECK(read_ok(index, long_name) == "long!");
    CHECK(read_ok(index, "dotted/x") == big);
    CHECK(read_ok(index, "./dotted/x") == big);
    CHECK(read_ok(index, "\xc3\xa9t\xc3\xa9") == "utf8");
    CHECK(read_ok(index, "empty").empty());
    CHECK_FALSE(index.contains(long_dir));  // directories are not files
    CHECK_FALSE(index.contains("missing"));
    CHECK(index.read("missing", 10).error().code == ErrorCode::not_found);
    CHECK(index.read("dotted/x", 10).error().code == ErrorCode::invalid_extension);
}

TEST_CASE("source: TarIndex follows symbolic and hard links inside the archive", "[source]") {
    fx::TempDir tmp;
    deskext::test::write_bytes(
        tmp / "t.tar",
        fx::make_tar(
            {fx::file("abc.tar", "layer"), fx::dir("id"), fx::symlink("id/layer.tar", "../abc.tar"),
             fx::hardlink("hard", "abc.tar"), fx::symlink("loop1", "loop2"),
             fx::symlink("loop2", "loop1"), fx::symlink("abs", "/etc/passwd")},
            fx::TarCompression::none));
    const auto index = scan_ok(tmp / "t.tar");
    CHECK(read_ok(index, "id/layer.tar") == "layer");
    CHECK(read_ok(index, "hard") == "layer");
    CHECK_FALSE(index.contains("loop1"));
    CHECK_FALSE(index.contains("abs"));
}

TEST_CASE("source: TarIndex refuses compressed, non-tar and missing files", "[source]") {
    fx::TempDir tmp;
    deskext::test::write_bytes(tmp / "t.tar.gz",
                               fx::make_tar({fx::file("a", "b")}, fx::TarCompression::gzip));
    auto gz = TarIndex::scan((tmp / "t.tar.gz").string(), many);
    REQUIRE_FALSE(gz.has_value());
    CHECK(gz.error().code == ErrorCode::usage);
    CHECK_THAT(gz.error().message, Catch::Contains("decompress first"));

    deskext::test::write_bytes(tmp / "junk", std::string(2000, 'j'));
    auto junk = TarIndex::scan((tmp / "junk").string(), many);
    REQUIRE_FALSE(junk.has_value());
    CHECK(junk.error().code == ErrorCode::invalid_extension);

    auto missing = TarIndex::scan((tmp / "nope.tar").string(), many);
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == ErrorCode::not_found);
    CHECK_THAT(missing.error().message, Catch::Contains("nope.tar"));
}

TEST_CASE("source: TarIndex reads a tar whose path is not ASCII", "[source]") {
    fx::TempDir tmp;
    const std::string name = "J\xc3\xb6rg-\xe6\x96\x87\xe4\xbb\xb6.tar";
    deskext::test::write_bytes(tmp / name,
                               fx::make_tar({fx::file("a", "b")}, fx::TarCompression::none));
    const auto utf8 = deskext::platform::utf8_of(tmp / name);
    auto index = TarIndex::scan(utf8, many);
    INFO((index ? std::string() : index.error().message));
    REQUIRE(index.has_value());
    CHECK(index->path() == utf8);
    CHECK(index->file() == tmp / name);
    CHECK(read_ok(*index, "a") == "b");
}

TEST_CASE("source: TarIndex refuses a tar cut short inside a member's data", "[source]") {
    // The member's data is skipped, not read: a skip past the end of the file must not pass for
    // the end of the archive.
    fx::TempDir tmp;
    const auto whole =
        fx::make_tar({fx::file("small", "x"), fx::file("big", std::string(8192, 'b'))},
                     fx::TarCompression::none);
    // The headers of both members and half of the big one's data.
    deskext::test::write_bytes(tmp / "cut.tar", whole.substr(0, 3 * 512 + 4096));
    auto index = TarIndex::scan((tmp / "cut.tar").string(), many);
    REQUIRE_FALSE(index.has_value());
    CHECK(index.error().code == ErrorCode::invalid_extension);
    CHECK_THAT(index.error().message, Catch::Contains("cut.tar"));
}

TEST_CASE("source: TarIndex caps the number of members and the length of names", "[source]") {
    fx::TempDir tmp;
    std::vector<fx::TarEntry> entries;
    for (int i = 0; i < 20; ++i) entries.push_back(fx::file("f" + std::to_string(i), "x"));
    deskext::test::write_bytes(tmp / "t.tar", fx::make_tar(entries, fx::TarCompression::none));
    auto index = TarIndex::scan((tmp / "t.tar").string(), 10);
    REQUIRE_FALSE(index.has_value());
    CHECK(index.error().code == ErrorCode::invalid_extension);

    deskext::test::write_bytes(
        tmp / "long.tar",
        fx::make_tar({fx::file(std::string(300, 'n'), "x")}, fx::TarCompression::none));
    auto long_name = TarIndex::scan((tmp / "long.tar").string(), 10, 200);
    REQUIRE_FALSE(long_name.has_value());
    CHECK(long_name.error().code == ErrorCode::invalid_extension);
    CHECK(TarIndex::scan((tmp / "long.tar").string(), 10, 300).has_value());
}

TEST_CASE("source: TarIndex normalises member names", "[source]") {
    CHECK(TarIndex::normalize("./a//b/") == "a/b");
    CHECK(TarIndex::normalize("a/./b/../c") == "a/c");
    CHECK(TarIndex::normalize("../x") == "../x");
    CHECK(TarIndex::normalize("/abs") == "abs");
}
