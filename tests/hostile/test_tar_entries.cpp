// Hostile tar entries (SECURITY.md, "Tar entries"): names that leave the root, links and
// whiteouts that escape, special files, privileged modes, duplicates, oversized headers, sparse
// files, and layers that are not (whole) tars. Each case is installed with the real binary over a
// good install inside a sentinel directory (sandbox.hpp).

#include <catch2/catch.hpp>

#include <fstream>

#include "deskext/oci/media_types.hpp"
#include "sandbox.hpp"

using namespace deskext;
using namespace deskext::hostile;
using fixtures::dir;
using fixtures::file;
using fixtures::hardlink;
using fixtures::TarType;
namespace fs = std::filesystem;

namespace {

constexpr int k_content = 8;    // ErrorCode::invalid_extension
constexpr int k_integrity = 7;  // ErrorCode::integrity

// One entry on top of the good layer, refused naming it.
void refuse_entry(const TarEntry& entry, const std::vector<std::string>& needles) {
    Sandbox box;
    const auto run = box.install(box.image_over_good("case", {{entry}}));
    box.check_refused(run, k_content, needles);
}

}  // namespace

TEST_CASE("dot-dot names are refused", "[hostile][tar]") {
    refuse_entry(file("../escape.txt", "x"), {"../escape.txt", "\"..\""});
    refuse_entry(file("ui/../../escape.txt", "x"), {"ui/../../escape.txt"});
    refuse_entry(file("./..", "x"), {"./..", "\"..\""});
    refuse_entry(dir("a/b/../../../up"), {"a/b/../../../up"});
}

TEST_CASE("absolute names are refused", "[hostile][tar]") {
    Sandbox box;
    const std::string target = (box.sentinel() / "secret.txt").string();
    const auto run = box.install(box.image_over_good("case", {{file(target, "pwned")}}));
    box.check_refused(run, k_content, {target, "absolute"});
    refuse_entry(file("/etc/passwd", "pwned"), {"/etc/passwd", "absolute"});
}

TEST_CASE("drive letters and backslashes are refused", "[hostile][tar]") {
    refuse_entry(file("C:/Windows/evil.dll", "x"), {"C:/Windows/evil.dll", "drive letter"});
    refuse_entry(file("c:evil", "x"), {"c:evil", "drive letter"});
    refuse_entry(file("ui\\..\\..\\evil", "x"), {"backslash"});
    refuse_entry(file("\\\\server\\share\\evil", "x"), {"backslash"});
}

TEST_CASE("a symlink out of the root then an entry through it, same layer", "[hostile][tar]") {
    Sandbox box;
    const std::string area = box.target_area().string();
    SECTION("absolute link to the sentinel") {
        const auto run = box.install(box.image_over_good(
            "case", {{fixtures::symlink("out", area), file("out/pwned.txt", "pwned")}}));
        box.check_refused(run, k_content, {"out/pwned.txt", "\"out\" is a symbolic link"});
    }
    SECTION("relative link climbing out") {
        const auto run = box.install(box.image_over_good(
            "case", {{fixtures::symlink("ui/up", "../../../../../../../../.."), dir("ui/up/tmp"),
                      file("ui/up/tmp/pwned.txt", "pwned")}}));
        box.check_refused(run, k_content, {"ui/up/tmp", "\"ui/up\" is a symbolic link"});
    }
    SECTION("a link replacing the UI directory, then files through it") {
        const auto run = box.install(box.image_over_good(
            "case", {{fixtures::symlink("ui", area), file("ui/index.html", "pwned")}}));
        box.check_refused(run, k_content, {"ui/index.html", "\"ui\" is a symbolic link"});
    }
}

TEST_CASE("a symlink out of the root then an entry through it, across layers", "[hostile][tar]") {
    Sandbox box;
    const std::string area = box.target_area().string();
    const auto run = box.install(box.image_over_good(
        "case", {{fixtures::symlink("linux", area)}, {file("linux/tool", "pwned", 0755)}}));
    box.check_refused(run, k_content, {"linux/tool", "\"linux\" is a symbolic link"});
}

TEST_CASE("a symlink out of the root used as the declared binary installs nothing from the host",
          "[hostile][tar]") {
    // A link alone is not refused (images are full of absolute links): it resolves inside the
    // image, where the sentinel's path does not exist.
    Sandbox box;
    const std::string secret = (box.sentinel() / "secret.txt").string();
    const auto run =
        box.install(box.image_over_good("case", {{fixtures::symlink("linux/tool", secret)}}));
    box.check_refused(run, k_content, {"/linux/tool", "missing from the linux/amd64 image"});
}

TEST_CASE("hard links outside the root, to symlinks and to later entries are refused",
          "[hostile][tar]") {
    refuse_entry(hardlink("h", "/etc/passwd"), {"\"h\"", "/etc/passwd", "absolute"});
    refuse_entry(hardlink("h", "../../secret.txt"), {"\"h\"", "../../secret.txt"});
    refuse_entry(hardlink("h", "C:\\Windows\\win.ini"), {"\"h\"", "C:\\Windows\\win.ini"});
    {
        Sandbox box;
        const auto run = box.install(box.image_over_good(
            "case", {{fixtures::symlink("lnk", "/etc/passwd"), hardlink("linux/tool", "lnk")}}));
        box.check_refused(run, k_content, {"linux/tool", "\"lnk\"", "not a regular file"});
    }
    {
        Sandbox box;
        const auto run = box.install(
            box.image_over_good("case", {{hardlink("early", "later"), file("later", "data")}}));
        box.check_refused(run, k_content, {"early", "\"later\"", "not in the image"});
    }
    {
        Sandbox box;
        const auto run = box.install(box.image_over_good("case", {{hardlink("h", "ui")}}));
        box.check_refused(run, k_content, {"\"h\"", "\"ui\"", "not a regular file"});
    }
}

TEST_CASE("whiteouts that escape are refused", "[hostile][tar]") {
    refuse_entry(file(".wh...", ""), {".wh...", "whiteout"});
    refuse_entry(file("ui/.wh...", ""), {"ui/.wh...", "whiteout"});
    refuse_entry(file(".wh.", ""), {".wh.", "whiteout"});
    refuse_entry(file("ui/.wh.", ""), {"ui/.wh.", "whiteout"});
    refuse_entry(file("./.wh..", ""), {".wh.", "whiteout"});
    refuse_entry(file("/.wh.etc", ""), {"/.wh.etc", "absolute"});
    refuse_entry(file("../.wh.extensions", ""), {"../.wh.extensions", "\"..\""});
}

TEST_CASE("an opaque marker at the root is refused", "[hostile][tar]") {
    refuse_entry(file(".wh..wh..opq", ""), {".wh..wh..opq", "opaque whiteout of the image root"});
    refuse_entry(file("./.wh..wh..opq", ""), {".wh..wh..opq", "opaque"});
}

TEST_CASE("device nodes and FIFOs are never created", "[hostile][tar]") {
    Sandbox box;
    SECTION("inside the UI tree: skipped with a warning") {
        const auto run = box.install(
            box.image_over_good("case", {{TarEntry{"ui/null", TarType::char_device, {}, 0666, {}},
                                          TarEntry{"ui/pipe", TarType::fifo, {}, 0644, {}}}}));
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(run.out.find("ui/null") != std::string::npos);  // in warning events
        CHECK(run.out.find("ui/pipe") != std::string::npos);
        const auto after = snapshot(box.installed());
        CHECK_FALSE(after.contains("ui/ui/null"));
        CHECK_FALSE(after.contains("ui/ui/pipe"));
        for (const auto& [path, what] : after)
            CHECK((what.starts_with("100") || what.starts_with("40")));  // files and dirs only
        box.check_sentinel();
    }
    SECTION("as the declared binary: refused") {
        const auto run = box.install(box.image_over_good(
            "case", {{TarEntry{"linux/tool", TarType::char_device, {}, 0755, {}}}}));
        box.check_refused(run, k_content, {"/linux/tool", "not a regular file"});
    }
    SECTION("as the icon: refused") {
        const auto run = box.install(
            box.image_over_good("case", {{TarEntry{"tool.svg", TarType::fifo, {}, 0644, {}}}}));
        box.check_refused(run, k_content, {"tool.svg", "not a regular file"});
    }
}

TEST_CASE("setuid, setgid, sticky and world-writable modes are stripped", "[hostile][tar]") {
    Sandbox box;
    const auto run = box.install(box.image_over_good(
        "case", {{file("linux/tool", "#!/bin/sh\necho suid\n", 06777), dir("ui", 01777),
                  file("ui/index.html", "<html>x</html>", 04666), dir("ui/sub", 03777),
                  file("ui/sub/app.js", "x", 02777), file("tool.svg", "<svg/>", 07777)}}));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    box.check_sentinel();
    CHECK(testing::mode_of(box.installed() / "host" / "tool") == 0755);
    CHECK(testing::mode_of(box.installed() / "ui" / "ui") == 0755);
    CHECK(testing::mode_of(box.installed() / "ui" / "ui" / "index.html") == 0644);
    CHECK(testing::mode_of(box.installed() / "ui" / "ui" / "sub") == 0755);
    CHECK(testing::mode_of(box.installed() / "ui" / "ui" / "sub" / "app.js") == 0644);
    CHECK(testing::mode_of(box.installed() / "tool.svg") == 0644);
}

TEST_CASE("the same path twice in one layer: the later entry wins, as containerd applies it",
          "[hostile][tar]") {
    // Every reader of the layer (metadata.json, the plan, the files written) sees the same
    // entry: the last one, as containerd, which writes each entry over the one before.
    SECTION("metadata.json") {
        Sandbox box;
        std::string later = good_metadata();
        later.replace(later.find("\"Tool\""), 6, "\"Later\"");
        auto entries = good_layer();
        entries.push_back(file("metadata.json", later));
        const auto run = box.install(box.image("case", {raw_layer(entries)}));
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(testing::slurp(box.installed() / "metadata.json") == later);
        box.check_sentinel();
    }
    SECTION("a file, then a link over it, then a file again") {
        Sandbox box;
        const auto run = box.install(box.image_over_good(
            "case", {{file("ui/index.html", "first"),
                      fixtures::symlink("./ui/index.html", box.target_area().string()),
                      file("./ui/index.html", "<html>last</html>\n")}}));
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(testing::slurp(box.installed() / "ui" / "ui" / "index.html") ==
              "<html>last</html>\n");
        box.check_sentinel();
    }
    SECTION("a directory, then a file in its place: what was below it is gone") {
        Sandbox box;
        const auto run = box.install(box.image_over_good(
            "case", {{dir("ui/sub"), file("ui/sub/app.js", "js"), file("ui/sub", "a file now")}}));
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(testing::slurp(box.installed() / "ui" / "ui" / "sub") == "a file now");
        CHECK_FALSE(fs::exists(box.installed() / "ui" / "ui" / "sub" / "app.js"));
        box.check_sentinel();
    }
}

TEST_CASE("a directory named twice and a later layer replacing a file are accepted",
          "[hostile][tar]") {
    Sandbox box;
    const auto run = box.install(box.image_over_good(
        "case", {{dir("ui"), dir("./ui/"), file("ui/index.html", "<html>v2</html>\n")}}));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(testing::slurp(box.installed() / "ui" / "ui" / "index.html") == "<html>v2</html>\n");
    box.check_sentinel();
}

TEST_CASE("names and link targets beyond sane lengths are refused", "[hostile][tar]") {
    const std::string deep = [] {
        std::string s;
        while (s.size() < 5000) s += "abcdefghij/";
        return s + "f";
    }();
    refuse_entry(file(deep, "x"), {"abcdefghij/abcdefghij", "longer than 4096 bytes"});
    refuse_entry(fixtures::symlink("lnk", std::string(5000, 'a')),
                 {"lnk", "longer than 4096 bytes"});
    refuse_entry(hardlink("h", std::string(5000, 'b')), {"\"h\"", "longer than 4096 bytes"});
}

TEST_CASE("pax headers with huge values are refused", "[hostile][tar]") {
    Sandbox box;
    SECTION("a 2 MiB path") {
        const std::string blob = fixtures::raw_pax_member({{"path", std::string(2u << 20, 'p')}}) +
                                 fixtures::raw_tar_member({"short", '0', 0644, {}, -1}, "x") +
                                 fixtures::raw_tar_end();
        const auto run = box.install(box.image(
            "case", {raw_layer(good_layer()), {blob, std::string(media_type::oci_layer_tar)}}));
        box.check_refused(run, k_content, {"layer 1"});
    }
    SECTION("a size beyond any file") {
        const std::string blob = fixtures::raw_pax_member({{"size", "99999999999999999999999"}}) +
                                 fixtures::raw_tar_member({"big", '0', 0644, {}, -1}, "x") +
                                 fixtures::raw_tar_end();
        const auto run = box.install(box.image(
            "case", {raw_layer(good_layer()), {blob, std::string(media_type::oci_layer_tar)}}));
        box.check_refused(run, k_content, {"layer 1"});
    }
    SECTION("a GNU long name escaping the root") {
        const std::string name = "../" + std::string(200, 'n');
        const std::string blob = fixtures::raw_tar_member({"././@LongLink", 'L', 0644, {}, -1},
                                                          name + std::string(1, '\0')) +
                                 fixtures::raw_tar_member({"short", '0', 0644, {}, -1}, "x") +
                                 fixtures::raw_tar_end();
        const auto run = box.install(box.image(
            "case", {raw_layer(good_layer()), {blob, std::string(media_type::oci_layer_tar)}}));
        box.check_refused(run, k_content, {"../nnnn", "\"..\""});
    }
}

TEST_CASE("a sparse file claiming a terabyte is refused by the size caps", "[hostile][tar]") {
    // A GNU sparse map (pax format 0.1) claiming a terabyte made of holes from one stored byte:
    // the holes read as zeros, as Go reads them, and count against the caps like any data.
    Sandbox box;
    const std::string blob =
        fixtures::raw_pax_member({{"GNU.sparse.major", "0"},
                                  {"GNU.sparse.minor", "1"},
                                  {"GNU.sparse.name", "ui/sparse.bin"},
                                  {"GNU.sparse.size", "1099511627776"},
                                  {"GNU.sparse.realsize", "1099511627776"},
                                  {"GNU.sparse.numblocks", "1"},
                                  {"GNU.sparse.map", "1099511627775,1"}}) +
        fixtures::raw_tar_member({"GNUSparseFile.0/sparse.bin", '0', 0644, {}, -1}, "x") +
        fixtures::raw_tar_end();
    const auto run = box.install(box.image(
        "case", {raw_layer(good_layer()), {blob, std::string(media_type::oci_layer_tar)}}));
    box.check_refused(run, k_content, {"layer 1", "decompression bomb"});
}

TEST_CASE("a sparse file installs with its holes as zeros", "[hostile][tar]") {
    Sandbox box;
    const std::string blob =
        fixtures::raw_pax_member({{"GNU.sparse.major", "0"},
                                  {"GNU.sparse.minor", "1"},
                                  {"GNU.sparse.name", "ui/sparse.bin"},
                                  {"GNU.sparse.realsize", "10"},
                                  {"GNU.sparse.numblocks", "2"},
                                  {"GNU.sparse.map", "0,1,9,1"}}) +
        fixtures::raw_tar_member({"GNUSparseFile.0/sparse.bin", '0', 0644, {}, -1}, "ab") +
        fixtures::raw_tar_end();
    const auto run = box.install(box.image(
        "case", {raw_layer(good_layer()), {blob, std::string(media_type::oci_layer_tar)}}));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(testing::slurp(box.installed() / "ui" / "ui" / "sparse.bin") ==
          std::string("a") + std::string(8, '\0') + "b");
    box.check_sentinel();
}

TEST_CASE("entry types containerd does not apply are refused", "[hostile][tar]") {
    // Old GNU sparse files ('S'), GNU dump directories ('D'), contiguous files ('7'): containerd
    // refuses the layer ("unhandled tar header type"), and so does deskext.
    for (const char type : {'S', 'D', '7'}) {
        Sandbox box;
        const std::string blob = fixtures::raw_tar_member({"ui/odd", type, 0644, {}, -1}, "x") +
                                 fixtures::raw_tar_end();
        const auto run = box.install(box.image(
            "case", {raw_layer(good_layer()), {blob, std::string(media_type::oci_layer_tar)}}));
        box.check_refused(run, k_content,
                          {"layer 1", "ui/odd", std::string("type '") + type + "'"});
    }
}

TEST_CASE("a layer that is not a tar is refused", "[hostile][tar]") {
    Sandbox box;
    SECTION("random bytes") {
        std::string junk(70000, '\0');
        for (std::size_t i = 0; i < junk.size(); ++i)
            junk[i] = static_cast<char>((i * 7919) & 0xff);
        const auto run = box.install(box.image(
            "case", {raw_layer(good_layer()), {junk, std::string(media_type::oci_layer_tar)}}));
        box.check_refused(run, k_content, {"layer 1", "not a valid tar"});
    }
    SECTION("a gzip layer that is not gzip") {
        const auto run = box.install(
            box.image("case", {raw_layer(good_layer()),
                               {fixtures::make_tar({file("a", "b")}, TarCompression::none),
                                std::string(media_type::oci_layer_gzip)}}));
        box.check_refused(run, k_content, {"layer 1", "gzip"});
    }
    SECTION("an unknown layer media type") {
        const auto run = box.install(
            box.image("case", {raw_layer(good_layer()),
                               {fixtures::make_tar({file("a", "b")}), "application/x-evil"}}));
        box.check_refused(run, k_content, {"application/x-evil"});
    }
}

TEST_CASE("truncated gzip and zstd layers are refused", "[hostile][tar]") {
    Sandbox box;
    const std::vector<TarEntry> entries{file("ui/big.js", std::string(300000, 'j'))};
    for (auto compression : {TarCompression::gzip, TarCompression::zstd}) {
        std::string blob = fixtures::make_tar(entries, compression);
        blob.resize(blob.size() / 2);
        const auto name = std::string("case-") + (compression == TarCompression::gzip ? "g" : "z");
        const auto run = box.install(box.image(
            name, {raw_layer(good_layer()), {blob, fixtures::layer_media_type(compression)}}));
        box.check_refused(run, k_content, {"layer 1", "not a valid tar"});
    }
}

TEST_CASE("a blob that does not match its digest is an integrity error", "[hostile][tar]") {
    Sandbox box;
    const auto layout = box.image_over_good("case", {{file("ui/x.js", std::string(4096, 'x'))}});
    // Flip one byte of the top layer's blob in place: the descriptor no longer matches.
    std::filesystem::path biggest;
    for (const auto& blob : std::filesystem::directory_iterator(layout / "blobs" / "sha256")) {
        const auto text = testing::slurp(blob.path());
        if (text.starts_with("\x1f\x8b") && text.size() < 1000) biggest = blob.path();
    }
    REQUIRE_FALSE(biggest.empty());
    std::string data = testing::slurp(biggest);
    data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 0x55);
    std::filesystem::permissions(biggest, std::filesystem::perms::owner_all);
    std::ofstream(biggest, std::ios::binary | std::ios::trunc) << data;
    const auto run = box.install(layout);
    box.check_refused(run, k_integrity, {"layer"});
}

TEST_CASE("trailing data after the end of the archive is verified and ignored", "[hostile][tar]") {
    // As Docker does: the whole blob counts for the digest, but what follows the end-of-archive
    // marker (here a whole second tar with a file) is never read as entries.
    Sandbox box;
    const std::string blob =
        fixtures::make_tar({file("ui/index.html", "<html>v2</html>\n")}, TarCompression::none) +
        fixtures::make_tar({file("ui/hidden.js", "hidden")}, TarCompression::none) + "garbage";
    const auto run = box.install(box.image(
        "case", {raw_layer(good_layer()), {blob, std::string(media_type::oci_layer_tar)}}));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const auto after = snapshot(box.installed());
    CHECK(after.contains("ui/ui/index.html"));
    CHECK_FALSE(after.contains("ui/ui/hidden.js"));
    box.check_sentinel();
}

TEST_CASE("names that are not UTF-8", "[hostile][tar]") {
    // "café" in Latin-1, as old tars (Python's testtar.tar) write it. Installed, such a name
    // could not be recorded, shown or written on Windows and macOS: refused, shown escaped.
    // Anywhere else in the image (the backend's files) it is no concern of the install.
    SECTION("in the UI") {
        Sandbox box;
        const auto run = box.install(box.image_over_good("case", {{file("ui/caf\xe9.txt", "x")}}));
        box.check_refused(run, k_content, {"ui/caf\\xe9.txt", "not valid UTF-8"});
    }
    SECTION("a directory of the UI") {
        Sandbox box;
        const auto run =
            box.install(box.image_over_good("case", {{file("ui/d\xe9j\xe0/app.js", "x")}}));
        box.check_refused(run, k_content, {"d\\xe9j\\xe0", "not valid UTF-8"});
    }
    SECTION("outside what is installed") {
        Sandbox box;
        const auto run = box.install(
            box.image_over_good("case", {{file("backend/caf\xe9.txt", "x"), dir("srv\xff")}}));
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        box.check_sentinel();
    }
}
