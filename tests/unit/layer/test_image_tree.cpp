#include "deskext/layer/image_tree.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

using deskext::ErrorCode;
using deskext::layer::Entry;
using deskext::layer::EntryRef;
using deskext::layer::EntryType;
using deskext::layer::ImageTree;

Entry file(std::string path, std::uint32_t mode = 0644, std::int64_t size = 1) {
    return Entry{std::move(path), EntryType::file, mode, size, {}};
}
Entry dir(std::string path, std::uint32_t mode = 0755) {
    return Entry{std::move(path), EntryType::directory, mode, 0, {}};
}
Entry soft_link(std::string path, std::string target) {
    return Entry{std::move(path), EntryType::symlink, 0777, 0, std::move(target)};
}
Entry hard_link(std::string path, std::string target) {
    return Entry{std::move(path), EntryType::hardlink, 0644, 0, std::move(target)};
}

// Applies the entries of one layer, numbering them in order.
void apply_layer(ImageTree& tree, std::size_t layer, const std::vector<Entry>& entries) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
        INFO("layer " << layer << " entry " << entries[i].path);
        auto applied = tree.apply(entries[i], EntryRef{layer, i});
        REQUIRE(applied);
    }
}

std::vector<std::string> paths_below(const ImageTree& tree, std::string_view dir) {
    std::vector<std::string> out;
    for (const auto& [path, node] : tree.descendants(dir)) out.push_back(path);
    return out;
}

}  // namespace

TEST_CASE("image tree: entries, implied directories and replacement", "[layer]") {
    ImageTree tree;
    apply_layer(tree, 0, {file("a/b/c", 0600, 3)});
    const auto* a = tree.find("a");
    REQUIRE(a != nullptr);
    CHECK(a->type == EntryType::directory);
    CHECK(a->mode == 0755);
    REQUIRE(tree.find("a/b") != nullptr);
    const auto* c = tree.find("a/b/c");
    REQUIRE(c != nullptr);
    CHECK(c->type == EntryType::file);
    CHECK(c->mode == 0600);
    CHECK(c->size == 3);
    CHECK(c->content == EntryRef{0, 0});
    CHECK(tree.find("") != nullptr);
    CHECK(tree.find("a/b/c/d") == nullptr);

    SECTION("a directory over a directory keeps its children") {
        apply_layer(tree, 1, {dir("a/b", 0700)});
        REQUIRE(tree.find("a/b/c") != nullptr);
        CHECK(tree.find("a/b")->mode == 0700);
    }
    SECTION("a file over a directory replaces the whole subtree") {
        apply_layer(tree, 1, {file("a", 0644, 9)});
        CHECK(tree.find("a")->type == EntryType::file);
        CHECK(tree.find("a/b") == nullptr);
        CHECK(tree.find("a/b/c") == nullptr);
    }
    SECTION("a symlink over a directory replaces it too") {
        apply_layer(tree, 1, {soft_link("a/b", "/x")});
        CHECK(tree.find("a/b")->type == EntryType::symlink);
        CHECK(tree.find("a/b/c") == nullptr);
    }
    SECTION("an entry below a file turns the file into a directory") {
        apply_layer(tree, 1, {file("a/b/c/d")});
        CHECK(tree.find("a/b/c")->type == EntryType::directory);
        CHECK(tree.find("a/b/c/d") != nullptr);
    }
    SECTION("a later file replaces an earlier one") {
        apply_layer(tree, 1, {file("a/b/c", 0755, 7)});
        CHECK(tree.find("a/b/c")->content == EntryRef{1, 0});
        CHECK(tree.find("a/b/c")->size == 7);
    }
}

TEST_CASE("image tree: whiteouts remove what lower layers left", "[layer]") {
    ImageTree tree;
    apply_layer(tree, 0, {dir("etc"), file("etc/a"), file("etc/b"), dir("etc/d"), file("etc/d/x"),
                          file("etc-other")});
    apply_layer(tree, 1, {file("etc/.wh.a"), file("etc/.wh.d"), file(".wh.missing")});
    CHECK(tree.find("etc/a") == nullptr);
    CHECK(tree.find("etc/d") == nullptr);
    CHECK(tree.find("etc/d/x") == nullptr);
    CHECK(tree.find("etc/b") != nullptr);
    CHECK(tree.find("etc-other") != nullptr);
    CHECK(tree.find("etc/.wh.a") == nullptr);  // the marker itself is no file of the image

    SECTION("a whiteout spares what its own layer adds") {
        apply_layer(tree, 2, {file("etc/b", 0644, 5), file("etc/.wh.b")});
        REQUIRE(tree.find("etc/b") != nullptr);
        CHECK(tree.find("etc/b")->content == EntryRef{2, 0});
    }
    SECTION("a whole directory") {
        apply_layer(tree, 2, {file(".wh.etc")});
        CHECK(tree.find("etc") == nullptr);
        CHECK(tree.find("etc/b") == nullptr);
        CHECK(tree.find("etc-other") != nullptr);
    }
}

TEST_CASE("image tree: opaque directories", "[layer]") {
    ImageTree tree;
    apply_layer(tree, 0, {dir("d"), file("d/old"), dir("d/sub"), file("d/sub/old"),
                          file("d/sub/old2"), file("keep")});

    SECTION("the marker hides lower entries, same-layer entries before it stay") {
        apply_layer(tree, 1, {file("d/before"), file("d/sub/new"), file("d/.wh..wh..opq"),
                              file("d/after")});
        CHECK(tree.find("d") != nullptr);
        CHECK(tree.find("d/old") == nullptr);
        CHECK(tree.find("d/sub/old") == nullptr);
        CHECK(tree.find("d/sub/old2") == nullptr);
        CHECK(tree.find("d/before") != nullptr);
        CHECK(tree.find("d/after") != nullptr);
        // d/sub came from layer 0, but this layer put d/sub/new into it: it stays.
        REQUIRE(tree.find("d/sub") != nullptr);
        CHECK(tree.find("d/sub/new") != nullptr);
        CHECK(tree.find("keep") != nullptr);
        CHECK(paths_below(tree, "d") ==
              std::vector<std::string>{"d/after", "d/before", "d/sub", "d/sub/new"});
    }
    SECTION("the marker first") {
        apply_layer(tree, 1, {dir("d"), file("d/.wh..wh..opq"), file("d/new")});
        CHECK(paths_below(tree, "d") == std::vector<std::string>{"d/new"});
    }
    SECTION("the marker of a directory lower layers never had creates it") {
        apply_layer(tree, 1, {file("fresh/.wh..wh..opq")});
        REQUIRE(tree.find("fresh") != nullptr);
        CHECK(tree.find("fresh")->type == EntryType::directory);
    }
}

TEST_CASE("image tree: whiteouts that name or escape the root are refused", "[layer][hostile]") {
    ImageTree tree;
    apply_layer(tree, 0, {dir("dir"), file("dir/x")});
    for (const std::string path : {"dir/.wh..", "dir/.wh...", ".wh.", "dir/.wh.", ".wh..",
                                   ".wh..wh..opq"}) {
        INFO(path);
        auto applied = tree.apply(file(path), EntryRef{1, 0});
        REQUIRE(!applied);
        CHECK(applied.error().code == ErrorCode::invalid_extension);
        CHECK_THAT(applied.error().message, Catch::Contains("\"" + path + "\""));
    }
    CHECK(tree.find("dir/x") != nullptr);
    // Names the reader would never pass on are refused here as well.
    for (const std::string path : {"../x", "/abs", "a/../b", "a//b"}) {
        INFO(path);
        CHECK(!tree.apply(file(path), EntryRef{1, 1}));
    }
}

TEST_CASE("image tree: hard links", "[layer]") {
    ImageTree tree;
    apply_layer(tree, 0, {file("bin/tool", 0755, 42), soft_link("bin/link", "tool"), dir("d")});
    apply_layer(tree, 1, {hard_link("bin/alias", "bin/tool")});
    const auto* alias = tree.find("bin/alias");
    REQUIRE(alias != nullptr);
    CHECK(alias->type == EntryType::file);
    CHECK(alias->content == EntryRef{0, 0});
    CHECK(alias->size == 42);
    CHECK(alias->mode == 0755);

    struct Case {
        std::string target;
        std::string why;
    };
    for (const Case& c : {Case{"bin/link", "not a regular file"}, Case{"d", "not a regular file"},
                          Case{"bin/missing", "not in the image"},
                          Case{"../etc/passwd", "outside the image"},
                          Case{"/bin/tool", "outside the image"}}) {
        INFO(c.target);
        auto applied = tree.apply(hard_link("bin/bad", c.target), EntryRef{2, 0});
        REQUIRE(!applied);
        CHECK(applied.error().code == ErrorCode::invalid_extension);
        CHECK_THAT(applied.error().message, Catch::Contains("\"bin/bad\""));
        CHECK_THAT(applied.error().message, Catch::Contains(c.why));
    }
    CHECK(tree.find("bin/bad") == nullptr);
}

TEST_CASE("image tree: resolve follows symlinks inside the image", "[layer]") {
    ImageTree tree;
    apply_layer(tree, 0, {
                             file("etc/passwd"),
                             dir("usr/lib/app"),
                             file("usr/lib/app/bin"),
                             soft_link("lib", "usr/lib"),  // relative
                             soft_link("abs", "/usr/lib/app"),  // absolute: from the image root
                             soft_link("usr/lib/app/up", "../../../../../etc/passwd"),
                             soft_link("host", "/etc/passwd"),
                             soft_link("chain1", "chain2"),
                             soft_link("chain2", "abs/bin"),
                             soft_link("loop1", "loop2"),
                             soft_link("loop2", "loop1"),
                             soft_link("self", "./self"),
                             soft_link("dangling", "nowhere"),
                             soft_link("empty", ""),
                         });
    auto resolve = [&](std::string_view p) { return tree.resolve(p); };
    CHECK(resolve("etc/passwd").value() == "etc/passwd");
    CHECK(resolve("/etc/passwd").value() == "etc/passwd");
    CHECK(resolve("./etc//passwd").value() == "etc/passwd");
    CHECK(resolve("lib/app/bin").value() == "usr/lib/app/bin");
    CHECK(resolve("abs/bin").value() == "usr/lib/app/bin");
    CHECK(resolve("abs/../app/bin").value() == "usr/lib/app/bin");
    CHECK(resolve("usr/lib/app/up").value() == "etc/passwd");
    CHECK(resolve("host").value() == "etc/passwd");  // the image's own /etc/passwd
    CHECK(resolve("chain1").value() == "usr/lib/app/bin");
    CHECK(resolve("../../etc/passwd").value() == "etc/passwd");
    CHECK(resolve("").value().empty());
    CHECK(resolve("lib").value() == "usr/lib");

    for (const char* p : {"loop1", "self", "loop2/x"}) {
        INFO(p);
        auto r = resolve(p);
        REQUIRE(!r);
        CHECK(r.error().code == ErrorCode::invalid_extension);
    }
    for (const char* p : {"dangling", "empty", "missing", "etc/passwd/x", "lib/nothing"}) {
        INFO(p);
        auto r = resolve(p);
        REQUIRE(!r);
        CHECK(r.error().code == ErrorCode::not_found);
    }
}

TEST_CASE("image tree: descendants are strictly below and sorted", "[layer]") {
    ImageTree tree;
    apply_layer(tree, 0, {file("a/z"), file("a/b/c"), file("a-b"), file("ab"), dir("a/e")});
    CHECK(paths_below(tree, "a") == std::vector<std::string>{"a/b", "a/b/c", "a/e", "a/z"});
    CHECK(paths_below(tree, "a/b") == std::vector<std::string>{"a/b/c"});
    CHECK(paths_below(tree, "a/z").empty());
    CHECK(paths_below(tree, "nope").empty());
    CHECK(paths_below(tree, "").size() == 7);
    CHECK(tree.size() == 8);  // with the root
}

namespace {

// An image built to make path resolution slow: a file `depth` directories deep, a chain of
// `hops` links from the deepest directory to the next link there (each target an absolute path
// down the whole depth, the last one to the file), and `links` links in ui/ to the first link of
// the chain. Returns the work (ImageTree::visits) of reading it and of planning from it as the
// installer does: every link below ui/ resolved.
std::uint64_t adversarial_work(int depth, int hops, int links) {
    std::string deep;
    for (int i = 0; i < depth; ++i) deep += i == 0 ? "d" : "/d";
    std::vector<Entry> entries{file(deep + "/f"), dir("ui")};
    for (int i = 0; i < hops; ++i) {
        const std::string next = i + 1 == hops ? "f" : "l" + std::to_string(i + 1);
        entries.push_back(soft_link(deep + "/l" + std::to_string(i), "/" + deep + "/" + next));
    }
    for (int i = 0; i < links; ++i)
        entries.push_back(soft_link("ui/x" + std::to_string(i), "/" + deep + "/l0"));
    ImageTree tree;
    apply_layer(tree, 0, entries);
    std::size_t resolved = 0;
    for (const auto& [path, node] : tree.descendants("ui")) {
        auto r = tree.resolve(path);
        REQUIRE(r);
        CHECK(*r == deep + "/f");
        ++resolved;
    }
    CHECK(resolved == static_cast<std::size_t>(links));
    return tree.visits();
}

}  // namespace

TEST_CASE("image tree: the work of reading and resolving grows in proportion to the image",
          "[layer][hostile]") {
    // Resolving used to rebuild the whole path at every component, at every link, for every
    // link: depth² × hops × links. 39 hops and the link in ui/ make the 40 links allowed.
    SECTION("ten times deeper") {
        const std::uint64_t once = adversarial_work(150, 39, 3);
        const std::uint64_t tenfold = adversarial_work(1500, 39, 3);
        INFO("work at 1x " << once << ", at 10x " << tenfold);
        CHECK(tenfold <= 10 * once + once / 20);
    }
    SECTION("ten times as many links into the depths") {
        const std::uint64_t once = adversarial_work(1000, 39, 20);
        const std::uint64_t tenfold = adversarial_work(1000, 39, 200);
        INFO("work at 1x " << once << ", at 10x " << tenfold);
        CHECK(tenfold <= 10 * once);
    }
    SECTION("a longer chain") {
        // 4 hops, then 39 (the most allowed with a link in ui/): the chain is walked once.
        const std::uint64_t once = adversarial_work(1000, 4, 20);
        const std::uint64_t tenfold = adversarial_work(1000, 39, 20);
        INFO("work at 1x " << once << ", at 10x " << tenfold);
        CHECK(tenfold <= 10 * once);
    }
}

TEST_CASE("image tree: a resolved path longer than the cap is refused", "[layer][hostile]") {
    // Names are capped when a layer is read; the tree checks the path a resolution leads to as
    // well, whatever links lead there.
    ImageTree tree(64);
    const std::string deep = "a/" + std::string(70, 'b');
    apply_layer(tree, 0, {file(deep), soft_link("short", "/" + deep), file("ok")});
    auto r = tree.resolve("short");
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::invalid_extension);
    CHECK_THAT(r.error().message, Catch::Contains("\"short\"") && Catch::Contains("64 bytes"));
    CHECK(tree.resolve("ok").value() == "ok");
    CHECK(ImageTree{}.resolve("").value().empty());
}

TEST_CASE("image tree: links resolved once still count every link on the way",
          "[layer][hostile]") {
    // A chain of 30 links, resolved first on its own, then met again after 15 more: 46 in all.
    ImageTree tree;
    std::vector<Entry> entries{file("f")};
    for (int i = 0; i < 30; ++i)
        entries.push_back(
            soft_link("c" + std::to_string(i), i == 29 ? "f" : "c" + std::to_string(i + 1)));
    for (int i = 0; i < 15; ++i)
        entries.push_back(
            soft_link("p" + std::to_string(i), i == 14 ? "c0" : "p" + std::to_string(i + 1)));
    entries.push_back(soft_link("q", "p6"));  // 1 + 9 + 30 links: allowed
    apply_layer(tree, 0, entries);
    CHECK(tree.resolve("c0").value() == "f");
    auto r = tree.resolve("p0");
    REQUIRE(!r);
    CHECK(r.error().code == ErrorCode::invalid_extension);
    CHECK(tree.resolve("q").value() == "f");
    CHECK(tree.resolve("c0").value() == "f");
    // After a change the links are resolved afresh: the chain met first with 16 links before
    // it (too many), then on its own (fine).
    apply_layer(tree, 1, {soft_link("loop1", "loop2"), soft_link("loop2", "loop1")});
    CHECK(!tree.resolve("p0"));
    CHECK(tree.resolve("c0").value() == "f");
    for (const char* p : {"loop2", "loop1", "loop1"}) {
        INFO(p);
        auto loop = tree.resolve(p);
        REQUIRE(!loop);
        CHECK(loop.error().code == ErrorCode::invalid_extension);
    }
    CHECK(tree.resolve("q").value() == "f");
}

TEST_CASE("image tree: descendants in the order of their whole paths", "[layer]") {
    ImageTree tree;
    // '.' and '-' sort before '/': "a.b" comes between "a" and "a/c", as in a sorted map.
    apply_layer(tree, 0, {file("a/c"), file("a.b"), file("a-/x"), file("a/b.c"), file("a/b/d")});
    CHECK(paths_below(tree, "") == std::vector<std::string>{"a", "a-", "a-/x", "a.b", "a/b",
                                                            "a/b.c", "a/b/d", "a/c"});
}
