#include "cache/layer_index.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fixtures/temp_dir.hpp"

using deskext::Limits;
using deskext::sha256_of;
using deskext::cache::BlobCache;
using deskext::cache::read_layer_index;
using deskext::cache::write_layer_index;
using deskext::layer::Entry;
using deskext::layer::EntryList;
using deskext::layer::EntryType;

namespace {

EntryList list_of(const std::vector<Entry>& entries) {
    EntryList list;
    for (const Entry& entry : entries) list.push_back(entry);
    return list;
}

}  // namespace

TEST_CASE("layer index: entries kept beside the blob, and nothing else trusted", "[cache]") {
    deskext::fixtures::TempDir tmp;
    auto opened = BlobCache::open(tmp / "cache");
    REQUIRE(opened);
    const auto layer = sha256_of("a layer");
    const std::vector<Entry> entries = {
        {"ui", EntryType::directory, 0755, 0, ""},
        {"ui/index.html", EntryType::file, 0644, 6, ""},
        {"ui/.wh.old.js", EntryType::file, 0644, 0, ""},
        {"ui/logo.svg", EntryType::symlink, 0777, 0, "../shared/logo.svg"},
        {"ui/alias.html", EntryType::hardlink, 0644, 0, "ui/index.html"},
        {"dev/null", EntryType::other, 0666, 0, ""},
    };
    CHECK(!read_layer_index(*opened, layer, Limits{}));
    REQUIRE(write_layer_index(*opened, layer, list_of(entries)));

    auto read = read_layer_index(*opened, layer, Limits{});
    REQUIRE(read);
    REQUIRE(read->size() == entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
        CHECK((*read)[i].path == entries[i].path);
        CHECK((*read)[i].type == entries[i].type);
        CHECK((*read)[i].mode == entries[i].mode);
        CHECK((*read)[i].size == entries[i].size);
        CHECK((*read)[i].link_target == entries[i].link_target);
    }
    const auto file = tmp / "cache" / "index" / "sha256" / layer.hex();
    REQUIRE(std::filesystem::is_regular_file(file));

    SECTION("another layer's index is not taken for this one") {
        const auto other = sha256_of("another layer");
        std::filesystem::copy_file(file, tmp / "cache" / "index" / "sha256" / other.hex());
        CHECK(!read_layer_index(*opened, other, Limits{}));
    }
    SECTION("a damaged index is removed and reported absent") {
        std::ofstream(file, std::ios::binary | std::ios::trunc) << R"({"format":1,"layer":)";
        CHECK(!read_layer_index(*opened, layer, Limits{}));
        CHECK(!std::filesystem::exists(file));
    }
    SECTION("an index cut short by a crash is removed and reported absent") {
        const auto size = std::filesystem::file_size(file);
        std::filesystem::resize_file(file, size - 1);  // its last newline
        CHECK(!read_layer_index(*opened, layer, Limits{}));
        CHECK(!std::filesystem::exists(file));
    }
    SECTION("an index written in another format is not used") {
        std::ofstream(file, std::ios::binary | std::ios::trunc)
            << R"({"format":1,"layer":")" << layer.str() << R"(","entries":[]})";
        CHECK(!read_layer_index(*opened, layer, Limits{}));
    }
    SECTION("an index over the caps is not used") {
        Limits limits;
        limits.max_entries_per_layer = 2;
        CHECK(!read_layer_index(*opened, layer, limits));
    }
}

TEST_CASE("layer index: a layer with names that are not UTF-8 is not indexed", "[cache]") {
    // JSON cannot hold those bytes: such a layer is read whole each time instead, and its
    // names are never replaced by something else.
    deskext::fixtures::TempDir tmp;
    auto opened = BlobCache::open(tmp / "cache");
    REQUIRE(opened);
    const auto layer = sha256_of("a layer with a Latin-1 name");
    const std::vector<Entry> entries = {
        {"srv", EntryType::directory, 0755, 0, ""},
        {"srv/caf\xe9.txt", EntryType::file, 0644, 3, ""},
    };
    REQUIRE(write_layer_index(*opened, layer, list_of(entries)));
    CHECK(!read_layer_index(*opened, layer, Limits{}));
}
