#include "deskext/layer/single_pass.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fixtures/memory_source.hpp"
#include "fixtures/files.hpp"
#include "fixtures/tar_builder.hpp"
#include "fixtures/temp_dir.hpp"

namespace {

using deskext::ErrorCode;
using deskext::Limits;
using deskext::fixtures::dir;
using deskext::fixtures::file;
using deskext::fixtures::read_file;
using deskext::fixtures::MemorySource;
using deskext::fixtures::TarCompression;
using deskext::fixtures::TarEntry;
using deskext::layer::EntryRef;
using deskext::layer::Placement;
using deskext::oci::Manifest;


// Wants everything below the directories it is given, once a metadata.json has been seen.
class PrefixFilter final : public deskext::layer::CandidateFilter {
public:
    explicit PrefixFilter(std::vector<std::string> dirs) : m_dirs(std::move(dirs)) {}
    void captured(std::string_view path, std::string_view data) override {
        seen.emplace_back(std::string(path) + "=" + std::string(data));
    }
    [[nodiscard]] bool wanted(std::string_view path) const override {
        if (seen.empty()) return false;
        for (const auto& d : m_dirs)
            if (path.starts_with(d + "/")) return true;
        return false;
    }
    std::vector<std::string> seen;

private:
    std::vector<std::string> m_dirs;
};

struct Image {
    MemorySource source;
    Manifest manifest;
    void layer(const std::vector<TarEntry>& entries) {
        manifest.layers.push_back(source.add_layer(entries, TarCompression::gzip));
    }
    [[nodiscard]] int opened(std::size_t layer) {
        return source.opened[manifest.layers[layer].digest];
    }
};

struct Pass {
    deskext::fixtures::TempDir candidates;
    deskext::fixtures::TempDir stage;
    PrefixFilter filter{{"ui"}};

    // One read of `source`'s image, capturing metadata.json.
    [[nodiscard]] auto read(deskext::ImageSource& source, const Manifest& manifest) {
        return deskext::layer::read_layers_once(source, manifest, {"metadata.json"}, filter,
                                                candidates.path(), Limits{}, {});
    }
    [[nodiscard]] auto read(Image& image) { return read(image.source, image.manifest); }
};

// Where each of `paths` would be installed from: the winning entry of the final tree.
std::vector<Placement> placements_for(const deskext::layer::ImageTree& tree,
                                      const std::filesystem::path& stage,
                                      const std::vector<std::string>& paths) {
    std::vector<Placement> out;
    for (const auto& path : paths) {
        auto resolved = tree.resolve(path);
        REQUIRE(resolved);
        out.push_back({tree.find(*resolved)->content, stage / path, 0644});
    }
    return out;
}

}  // namespace

TEST_CASE("single pass: the top layer first, the rest once each, the winner placed",
          "[layer][single_pass]") {
    Image image;
    image.layer({dir("ui"), file("ui/a", "a from 0"), file("ui/b", "b from 0"),
                 file("docs/x", "not wanted")});
    image.layer({file("ui/a", "a from 1")});
    image.layer({file("metadata.json", R"({"v":1})")});
    Pass pass;

    auto result = pass.read(image);
    REQUIRE(result);
    CHECK(result->read_order == std::vector<std::size_t>{2, 0, 1});
    for (std::size_t i = 0; i < 3; ++i) CHECK(image.opened(i) == 1);
    CHECK(pass.filter.seen == std::vector<std::string>{R"(metadata.json={"v":1})"});
    CHECK(result->scan.captured.at("metadata.json") == R"({"v":1})");
    // Both versions of ui/a were written out; docs/x was not.
    CHECK(result->candidates.size() == 3);
    CHECK(result->candidates.contains(EntryRef{0, 1}));
    CHECK(result->candidates.contains(EntryRef{1, 0}));
    CHECK(result->scan.tree.find("ui/a")->content == EntryRef{1, 0});

    auto placements = placements_for(result->scan.tree, pass.stage.path(), {"ui/a", "ui/b"});
    auto placed = deskext::layer::place_candidates(result->candidates, placements);
    REQUIRE(placed);
    const auto* rest = &placed->rest;
    CHECK(rest->empty());
    CHECK(read_file(pass.stage / "ui/a") == "a from 1");
    CHECK(read_file(pass.stage / "ui/b") == "b from 0");
    // Hashed as they were written.
    CHECK(placed->hashes.at(pass.stage / "ui/a").digest == deskext::sha256_of("a from 1"));
    CHECK(placed->hashes.at(pass.stage / "ui/b").size == 8);
}

TEST_CASE("single pass: whiteouts and opaque directories drop captured candidates",
          "[layer][single_pass]") {
    Image image;
    image.layer({file("metadata.json", R"({"v":0})"), file("ui/old", "old"),
                 file("ui/keep", "keep"), file("ui/sub/gone", "gone")});
    image.layer(
        {file("ui/.wh.old", ""), file("ui/sub/.wh..wh..opq", ""), file("ui/sub/new", "new")});
    image.layer({file(".wh.metadata.json", ""), file("ui/top", "top")});
    Pass pass;

    auto result = pass.read(image);
    REQUIRE(result);
    // metadata.json was searched for down to layer 0, which was then read but once.
    CHECK(result->read_order == std::vector<std::size_t>{2, 1, 0});
    for (std::size_t i = 0; i < 3; ++i) CHECK(image.opened(i) == 1);
    // Whited out from above: not captured, though it was read (and told to the filter).
    CHECK(!result->scan.captured.contains("metadata.json"));
    CHECK(result->scan.tree.find("ui/old") == nullptr);
    CHECK(result->scan.tree.find("ui/sub/gone") == nullptr);
    REQUIRE(result->scan.tree.find("ui/sub/new") != nullptr);

    const auto& tree = result->scan.tree;
    std::set<EntryRef> winners;
    for (const auto& [path, node] : tree.descendants("ui"))
        if (node->type == deskext::layer::EntryType::file) winners.insert(node->content);
    // Layers 2 and 1 were read before metadata.json was found: nothing of theirs was written.
    CHECK(winners.size() == 3);
    CHECK(result->candidates.size() == 3);  // ui/old, ui/keep, ui/sub/gone of layer 0
    CHECK(result->candidates.contains(tree.find("ui/keep")->content));

    auto placements = placements_for(tree, pass.stage.path(), {"ui/keep", "ui/sub/new", "ui/top"});
    auto placed = deskext::layer::place_candidates(result->candidates, placements);
    REQUIRE(placed);
    const auto* rest = &placed->rest;
    // ui/keep came from its candidate; the two others must be read again from their layers.
    CHECK(rest->size() == 2);
    image.source.opened.clear();
    REQUIRE(deskext::layer::extract_entries(image.source, image.manifest, *rest, Limits{}, {}));
    CHECK(image.opened(0) == 0);
    CHECK(image.opened(1) == 1);
    CHECK(image.opened(2) == 1);
    CHECK(read_file(pass.stage / "ui/keep") == "keep");
    CHECK(read_file(pass.stage / "ui/sub/new") == "new");
    CHECK(read_file(pass.stage / "ui/top") == "top");
}

TEST_CASE("single pass: a file reached through a link falls back to a second read",
          "[layer][single_pass]") {
    Image image;
    image.layer({file("shared/logo.svg", "<svg/>"), file("ui/index.html", "<html>")});
    image.layer({deskext::fixtures::symlink("ui/logo.svg", "../shared/logo.svg"),
                 file("metadata.json", R"({"v":1})")});
    Pass pass;
    auto result = pass.read(image);
    REQUIRE(result);
    const auto& tree = result->scan.tree;
    auto placements = placements_for(tree, pass.stage.path(), {"ui/index.html", "ui/logo.svg"});
    // The same entry twice: the second destination gets a copy of the first.
    placements.push_back({tree.find("ui/index.html")->content, pass.stage / "copy.html", 0600});
    auto placed = deskext::layer::place_candidates(result->candidates, placements);
    REQUIRE(placed);
    const auto* rest = &placed->rest;
    REQUIRE(rest->size() == 1);
    CHECK(rest->front().to == pass.stage / "ui/logo.svg");
    CHECK(read_file(pass.stage / "copy.html") == "<html>");
    image.source.opened.clear();
    REQUIRE(deskext::layer::extract_entries(image.source, image.manifest, *rest, Limits{}, {}));
    CHECK(image.opened(0) == 1);
    CHECK(image.opened(1) == 0);
    CHECK(read_file(pass.stage / "ui/logo.svg") == "<svg/>");
    CHECK(read_file(pass.stage / "ui/index.html") == "<html>");
}

// [posix]: a symbolic link on disk.
TEST_CASE("single pass: a destination that exists is never replaced or followed",
          "[layer][single_pass][hostile][posix]") {
    Image image;
    image.layer({file("ui/a", "a"), file("metadata.json", "{}")});
    Pass pass;
    auto result = pass.read(image);
    REQUIRE(result);
    // Top layer only: ui/a came before metadata.json in the archive, so it was not written.
    CHECK(result->candidates.empty());

    Image later;
    later.layer({file("metadata.json", "{}"), file("ui/a", "a")});
    Pass pass2;
    auto second = pass2.read(later);
    REQUIRE(second);
    REQUIRE(second->candidates.size() == 1);
    deskext::fixtures::TempDir outside;
    { std::ofstream(outside / "victim") << "untouched"; }
    std::filesystem::create_symlink(outside / "victim", pass2.stage / "a");
    auto placed = deskext::layer::place_candidates(second->candidates,
                                                   {{EntryRef{0, 1}, pass2.stage / "a", 0644}});
    REQUIRE(!placed);
    CHECK(placed.error().code == ErrorCode::filesystem);
    CHECK(read_file(outside / "victim") == "untouched");
}

TEST_CASE("single pass: errors name the layer, whichever order it is read in",
          "[layer][single_pass][hostile]") {
    Image image;
    image.layer({file("ui/a", "a")});
    image.layer({file("metadata.json", "{}")});
    std::string& blob = image.source.blobs[image.manifest.layers[0].digest];
    blob.resize(blob.size() - 3);
    Pass pass;
    auto result = pass.read(image);
    REQUIRE(!result);
    CHECK(result.error().code == ErrorCode::integrity);
    CHECK_THAT(result.error().message, Catch::Contains("layer 0"));
}

namespace {

// Keeps the recorded entries of each layer in memory, as the registry source keeps them in its
// blob cache.
class RecordingSource final : public deskext::ImageSource {
public:
    explicit RecordingSource(MemorySource& inner) : m_inner(inner) {}
    [[nodiscard]] std::string describe() const override { return m_inner.describe(); }
    [[nodiscard]] deskext::Result<deskext::Document> resolve() override {
        return m_inner.resolve();
    }
    [[nodiscard]] deskext::Result<deskext::Document> fetch_manifest(
        const deskext::oci::Descriptor& descriptor) override {
        return m_inner.fetch_manifest(descriptor);
    }
    [[nodiscard]] std::optional<std::string> image_name() const override { return std::nullopt; }
    [[nodiscard]] std::optional<deskext::layer::EntryList> layer_entries(
        const deskext::oci::Descriptor& layer) override {
        auto it = kept.find(layer.digest);
        if (it == kept.end()) return std::nullopt;
        return it->second;
    }
    void keep_layer_entries(const deskext::oci::Descriptor& layer,
                            const deskext::layer::EntryList& entries) override {
        kept[layer.digest] = entries;
    }
    std::map<deskext::Digest, deskext::layer::EntryList> kept;

private:
    [[nodiscard]] deskext::Result<deskext::RawBlob> open_raw(
        const deskext::oci::Descriptor& descriptor) override {
        return open_raw_of(m_inner, descriptor);
    }

    MemorySource& m_inner;
};

}  // namespace

TEST_CASE("single pass: layers with recorded entries are read only when they hold a needed file",
          "[layer][single_pass]") {
    Image image;
    image.layer({file("usr/big", std::string(1u << 20, 'x')), file("ui/stale.js", "old"),
                 file("ui/keep.css", "css")});
    image.layer({file("ui/.wh.stale.js", ""), file("ui/index.html", "<html>")});
    image.layer({file("metadata.json", R"({"v":1})")});
    RecordingSource source(image.source);
    {
        Pass first;
        auto result = first.read(source, image.manifest);
        REQUIRE(result);
        CHECK(result->read_order == std::vector<std::size_t>{2, 0, 1});
        CHECK(source.kept.size() == 3);
        CHECK(source.kept.at(image.manifest.layers[1].digest).size() == 2);
    }

    // The update: a new top layer; the two below are known.
    image.manifest.layers.back() =
        image.source.add_layer({file("metadata.json", R"({"v":2})")}, TarCompression::gzip);
    image.source.opened.clear();
    Pass update;
    auto result = update.read(source, image.manifest);
    REQUIRE(result);
    CHECK(result->read_order == std::vector<std::size_t>{2});
    CHECK(image.opened(0) == 0);
    CHECK(image.opened(1) == 0);
    CHECK(result->scan.captured.at("metadata.json") == R"({"v":2})");
    const auto& tree = result->scan.tree;
    CHECK(tree.find("ui/stale.js") == nullptr);  // the whiteout came from the recorded entries
    REQUIRE(tree.find("usr/big") != nullptr);
    CHECK(tree.find("usr/big")->size == (1 << 20));

    // Only the layers holding the needed files are read, once each, to extract them.
    auto placements = placements_for(tree, update.stage.path(), {"ui/index.html", "ui/keep.css"});
    auto placed = deskext::layer::place_candidates(result->candidates, placements);
    REQUIRE(placed);
    const auto* rest = &placed->rest;
    CHECK(rest->size() == 2);
    REQUIRE(deskext::layer::extract_entries(source, image.manifest, *rest, Limits{}, {}));
    CHECK(image.opened(0) == 1);
    CHECK(image.opened(1) == 1);
    CHECK(image.opened(2) == 1);
    CHECK(read_file(update.stage / "ui/index.html") == "<html>");
    CHECK(read_file(update.stage / "ui/keep.css") == "css");
}

TEST_CASE("single pass: a metadata.json in a layer below the top one does not replace it",
          "[layer][single_pass]") {
    // The image of an extension built FROM another one: both layers hold a metadata.json.
    Image image;
    image.layer({file("metadata.json", R"({"v":"base"})"), file("ui/base", "base")});
    image.layer({file("ui/mid", "mid")});
    image.layer({file("metadata.json", R"({"v":"top"})")});
    Pass pass;

    auto result = pass.read(image);
    REQUIRE(result);
    CHECK(result->scan.captured.at("metadata.json") == R"({"v":"top"})");
    CHECK(pass.filter.seen == std::vector<std::string>{R"(metadata.json={"v":"top"})"});
    CHECK(result->candidates.size() == 2);  // ui/base and ui/mid
}

TEST_CASE("single pass: many layers read at once give the tree a single read would",
          "[layer][single_pass]") {
    Image image;
    constexpr std::size_t lower = 12;
    for (std::size_t i = 0; i < lower; ++i) {
        std::vector<TarEntry> entries{
            file("ui/shared", "from " + std::to_string(i)),
            file("ui/own-" + std::to_string(i), std::string(i * 1000, 'x'))};
        if (i > 0 && i % 3 == 0) entries.push_back(file("ui/.wh.own-" + std::to_string(i - 1), ""));
        image.layer(entries);
    }
    image.layer({file("metadata.json", "{}")});
    Pass pass;

    auto result = pass.read(image);
    REQUIRE(result);
    CHECK(result->read_order.size() == lower + 1);
    for (std::size_t i = 0; i <= lower; ++i) CHECK(image.opened(i) == 1);
    const auto& tree = result->scan.tree;
    CHECK(tree.find("ui/shared")->content == EntryRef{lower - 1, 0});
    for (std::size_t i = 0; i < lower; ++i) {
        const bool whited_out = (i + 1 < lower && (i + 1) % 3 == 0);
        CHECK((tree.find("ui/own-" + std::to_string(i)) == nullptr) == whited_out);
    }
    auto placements = placements_for(tree, pass.stage.path(), {"ui/shared", "ui/own-11"});
    auto placed = deskext::layer::place_candidates(result->candidates, placements);
    REQUIRE(placed);
    const auto* rest = &placed->rest;
    CHECK(rest->empty());
    CHECK(read_file(pass.stage / "ui/shared") == "from 11");
    CHECK(read_file(pass.stage / "ui/own-11") == std::string(11000, 'x'));
}

TEST_CASE("single pass: of several failing layers, the lowest one is reported",
          "[layer][single_pass][hostile]") {
    // Layers are read concurrently: whichever fails first in time, the error is that of the
    // first failing layer in order, every time.
    for (int round = 0; round < 20; ++round) {
        Image image;
        for (std::size_t i = 0; i < 6; ++i)
            image.layer({file("ui/f" + std::to_string(i), std::string((6 - i) * 50000, 'y'))});
        image.layer({file("metadata.json", "{}")});
        for (const std::size_t bad : {std::size_t{2}, std::size_t{5}}) {
            std::string& blob = image.source.blobs[image.manifest.layers[bad].digest];
            blob.resize(blob.size() - 3);
        }
        Pass pass;
        auto result = pass.read(image);
        REQUIRE(!result);
        CHECK(result.error().code == ErrorCode::integrity);
        CHECK_THAT(result.error().message, Catch::Contains("layer 2"));
    }
}
