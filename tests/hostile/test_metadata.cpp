// Hostile metadata.json (SECURITY.md, "metadata.json"): paths that climb, links that point at
// the host, missing binaries, wrong types, unknown keys, names Windows cannot hold, collisions.

#include <catch2/catch.hpp>

#include "sandbox.hpp"

using namespace deskext;
using namespace deskext::hostile;
using fixtures::dir;
using fixtures::file;

namespace {

constexpr int k_content = 8;

// The good layer with its metadata.json replaced, and `extra` entries in a layer above it.
std::filesystem::path image_with(Sandbox& box, const std::string& metadata,
                                 const std::vector<TarEntry>& extra = {}) {
    std::vector<RawLayer> layers{raw_layer(good_layer(metadata))};
    if (!extra.empty()) layers.push_back(raw_layer(extra));
    return box.image("case", layers);
}

std::string with_linux_binaries(const std::string& paths_json) {
    return R"({"icon":"tool.svg","ui":{"dashboard-tab":{"title":"T","src":"index.html","root":"/ui"}},
               "host":{"binaries":[{"linux":)" +
           paths_json + "}]}}";
}

}  // namespace

TEST_CASE("metadata paths with .. are refused", "[hostile][metadata]") {
    Sandbox box;
    SECTION("icon") {
        const auto run = box.install(image_with(box, R"({"icon":"../../secret.txt"})"));
        box.check_refused(run, k_content, {"icon", "../../secret.txt"});
    }
    SECTION("UI root") {
        const auto run = box.install(image_with(
            box, R"({"icon":"tool.svg","ui":{"dashboard-tab":{"title":"T","src":"index.html",
                    "root":"/ui/../../../etc"}}})"));
        box.check_refused(run, k_content, {"root", "/ui/../../../etc"});
    }
    SECTION("host binary") {
        const auto run = box.install(
            image_with(box, with_linux_binaries(R"([{"path":"/linux/../../../etc/passwd"}])")));
        box.check_refused(run, k_content, {"path", "/linux/../../../etc/passwd"});
    }
    SECTION("compose file") {
        const auto run = box.install(
            image_with(box, R"({"icon":"tool.svg","vm":{"composefile":"..\\..\\compose.yaml"}})"));
        box.check_refused(run, k_content, {"composefile"});
    }
}

TEST_CASE("a binary that is a symlink to /etc/passwd installs nothing from the host",
          "[hostile][metadata]") {
    Sandbox box;
    SECTION("the image has no /etc/passwd: missing") {
        const auto run = box.install(
            image_with(box, good_metadata(), {fixtures::symlink("linux/tool", "/etc/passwd")}));
        box.check_refused(run, k_content, {"/linux/tool", "missing from the linux/amd64 image"});
    }
    SECTION("a relative link climbing past the root: still inside the image") {
        const auto run = box.install(
            image_with(box, good_metadata(),
                       {fixtures::symlink("linux/tool", "../../../../../../../../etc/passwd")}));
        box.check_refused(run, k_content, {"/linux/tool", "missing from the linux/amd64 image"});
    }
    SECTION("the image has its own /etc/passwd: that one is installed") {
        const auto run = box.install(image_with(box, good_metadata(),
                                                {dir("etc"), file("etc/passwd", "image passwd\n"),
                                                 fixtures::symlink("linux/tool", "/etc/passwd")}));
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(testing::slurp(box.installed() / "host" / "tool") == "image passwd\n");
        box.check_sentinel();
    }
    SECTION("a link to the sentinel's own file by absolute path") {
        const auto target = (box.sentinel() / "etc" / "passwd").string();
        const auto run = box.install(
            image_with(box, good_metadata(), {fixtures::symlink("linux/tool", target)}));
        box.check_refused(run, k_content, {"/linux/tool", "missing"});
    }
    SECTION("metadata.json itself a link to the host's file") {
        auto entries = good_layer();
        entries.erase(entries.begin());  // the real metadata.json
        entries.push_back(
            fixtures::symlink("metadata.json", (box.sentinel() / "secret.txt").string()));
        const auto run = box.install(box.image("case", {raw_layer(entries)}));
        box.check_refused(run, k_content, {"metadata.json"});
    }
}

TEST_CASE("a declared binary that is missing is refused", "[hostile][metadata]") {
    Sandbox box;
    const auto run =
        box.install(image_with(box, with_linux_binaries(R"([{"path":"/linux/not-there"}])")));
    box.check_refused(run, k_content, {"/linux/not-there", "missing from the linux/amd64 image"});
}

TEST_CASE("wrong JSON types and unknown keys are refused", "[hostile][metadata]") {
    Sandbox box;
    SECTION("icon is a number") {
        const auto run = box.install(image_with(box, R"({"icon":5})"));
        box.check_refused(run, k_content, {"icon", "a number"});
    }
    SECTION("binaries is an object") {
        const auto run =
            box.install(image_with(box, R"({"icon":"tool.svg","host":{"binaries":{"linux":[]}}})"));
        box.check_refused(run, k_content, {"host.binaries"});
    }
    SECTION("path is null") {
        const auto run = box.install(image_with(box, with_linux_binaries(R"([{"path":null}])")));
        box.check_refused(run, k_content, {"path", "null"});
    }
    SECTION("an unknown key") {
        const auto run = box.install(image_with(box, R"({"icon":"tool.svg","exec":"rm -rf /"})"));
        box.check_refused(run, k_content, {"unknown key", "exec"});
    }
    SECTION("not JSON at all") {
        const auto run = box.install(image_with(box, "{\"icon\": \"tool.svg\", \xff\xfe"));
        box.check_refused(run, k_content, {"metadata.json"});
    }
}

TEST_CASE("names Windows cannot hold are refused for a windows host", "[hostile][metadata]") {
    for (const std::string name : {"CON", "nul.exe", "tool.", "tool ", "a:b", "COM1"}) {
        Sandbox box;
        const std::string metadata =
            R"({"icon":"tool.svg","host":{"binaries":[{"windows":[{"path":"/windows/)" + name +
            R"("}]}]}})";
        const auto run = box.install(image_with(box, metadata, {file("windows/" + name, "MZ")}), {},
                                     "windows/amd64");
        INFO("name: " << name);
        box.check_refused(run, k_content, {name});
    }
}

TEST_CASE("every installed path is checked for Windows: UI files and directories too",
          "[hostile][metadata]") {
    // Each a UI entry that installs on Linux and cannot exist on Windows.
    const std::vector<std::pair<std::vector<TarEntry>, std::string>> cases{
        {{file("ui/aux.js", "x")}, "aux.js"},
        {{file("ui/Com1.txt", "x")}, "Com1.txt"},
        {{file("ui/ab:stream.js", "x")}, "ab:stream.js"},
        {{file("ui/trailing.", "x")}, "trailing."},
        {{file("ui/space ", "x")}, "space "},
        {{file("ui/what?.js", "x")}, "what?.js"},
        {{dir("ui/nul"), file("ui/nul/app.js", "x")}, "nul"},
    };
    for (const auto& [entries, name] : cases) {
        INFO("name: " << name);
        Sandbox box;
        const auto image = box.image_over_good("case", {entries});
        box.check_refused(box.install(image, {}, "windows/amd64"), k_content,
                          {"/ui/" + name, "cannot be installed on Windows"});
        const auto linux = box.install(image);
        CHECK(linux.exit_code == 0);
        box.check_sentinel();
    }
}

TEST_CASE("installed paths that differ only in case are refused where the file system ignores it",
          "[hostile][metadata]") {
    const std::vector<std::vector<TarEntry>> cases{
        {file("ui/App.js", "a"), file("ui/app.js", "b")},
        {dir("ui/Assets"), file("ui/Assets/a.js", "a"), dir("ui/assets"),
         file("ui/assets/b.js", "b")},
    };
    for (const auto& entries : cases) {
        for (const std::string host : {"windows/amd64", "darwin/amd64"}) {
            INFO(host << " " << entries.front().name);
            Sandbox box;
            const auto image = box.image_over_good("case", {entries});
            box.check_refused(box.install(image, {}, host), k_content, {"differs only in case"});
        }
        Sandbox box;
        CHECK(box.install(box.image_over_good("case", {entries})).exit_code == 0);
        box.check_sentinel();
    }
}

TEST_CASE("basename collisions in host/ are refused", "[hostile][metadata]") {
    Sandbox box;
    const auto run = box.install(
        image_with(box, with_linux_binaries(R"([{"path":"/linux/tool"},{"path":"/other/tool"}])"),
                   {dir("other"), file("other/tool", "other", 0755)}));
    box.check_refused(run, k_content, {"/linux/tool", "/other/tool"});
}

TEST_CASE("a UI root or host binary directory at the image root is refused",
          "[hostile][metadata]") {
    // The whole image as the UI (or as host/) would install metadata.json and every other file
    // once more under the extension's directory; Docker Desktop serves a UI directory of its own.
    Sandbox box;
    const auto ui_at = [](const std::string& root) {
        return R"({"icon":"tool.svg","ui":{"dashboard-tab":{"title":"T","src":"index.html","root":")" +
               root + R"("}}})";
    };
    SECTION("\"/\"") {
        const auto run = box.install(image_with(box, ui_at("/")));
        box.check_refused(run, k_content, {"ui.dashboard-tab.root", "names the image root"});
    }
    SECTION("\".\"") {
        const auto run = box.install(image_with(box, ui_at(".")));
        box.check_refused(run, k_content, {"ui.dashboard-tab.root", "names the image root"});
    }
    SECTION("a link to /") {
        const auto run =
            box.install(image_with(box, ui_at("/app"), {fixtures::symlink("app", "/")}));
        box.check_refused(run, k_content, {"UI root /app", "the image root"});
    }
    SECTION("a link to .. inside the UI") {
        const auto run =
            box.install(image_with(box, ui_at("/ui/top"), {fixtures::symlink("ui/top", "..")}));
        box.check_refused(run, k_content, {"UI root /ui/top", "the image root"});
    }
    SECTION("a host binary directory, through a link") {
        const auto run =
            box.install(image_with(box, with_linux_binaries(R"([{"path":"/linux/all"}])"),
                                   {fixtures::symlink("linux/all", "/")}));
        box.check_refused(run, k_content, {"host binary /linux/all", "the image root"});
    }
}
