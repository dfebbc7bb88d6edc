#include "install/needed_paths.hpp"

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("needed paths: what metadata.json names, and everything below it", "[install]") {
    deskext::NeededPaths needed("linux", deskext::Limits{});
    CHECK(!needed.wanted("ui/index.html"));  // nothing is known before metadata.json

    needed.captured("metadata.json", R"({
        "icon": "/docker.svg",
        "ui": {"dashboard-tab": {"title": "T", "root": "/ui", "src": "index.html"}},
        "vm": {"composefile": "docker-compose.yaml"},
        "host": {"binaries": [{"darwin": [{"path": "/darwin/tool"}],
                               "linux": [{"path": "/linux/tool"}, {"path": "/linux/lib/"}]}]}
    })");
    CHECK(needed.wanted("docker.svg"));
    CHECK(needed.wanted("ui/index.html"));
    CHECK(needed.wanted("ui/assets/app.js"));
    CHECK(needed.wanted("docker-compose.yaml"));
    CHECK(needed.wanted("linux/tool"));
    CHECK(needed.wanted("linux/lib/libx.so"));
    CHECK(!needed.wanted("darwin/tool"));     // another OS's binary
    CHECK(!needed.wanted("uix/index.html"));  // a sibling that only starts alike
    CHECK(!needed.wanted("docker.svg.bak"));
    CHECK(!needed.wanted("linux/toolbox"));
    CHECK(!needed.wanted("etc/passwd"));

    SECTION("metadata.json that does not parse wants nothing") {
        needed.captured("metadata.json", "{");
        CHECK(!needed.wanted("ui/index.html"));
    }
    SECTION("other captured files change nothing") {
        needed.captured("other.json", "{}");
        CHECK(needed.wanted("ui/index.html"));
    }
}

TEST_CASE("needed paths: roots inside roots, deep paths and the image root", "[install]") {
    deskext::NeededPaths needed("linux", deskext::Limits{});
    std::string deep = "d";
    for (int i = 1; i < 1000; ++i) deep += "/d";
    needed.captured("metadata.json", R"({
        "icon": "/)" + deep + R"(/icon.svg",
        "ui": {"dashboard-tab": {"title": "T", "root": "/ui", "src": "index.html"}},
        "host": {"binaries": [{"linux": [{"path": "/ui/bin/tool"}]}]}
    })");
    CHECK(needed.wanted(deep + "/icon.svg"));
    CHECK(!needed.wanted(deep + "/other.svg"));
    CHECK(!needed.wanted(deep));  // a directory above a root is not below it
    CHECK(needed.wanted("ui/bin/tool"));
    CHECK(needed.wanted("ui/bin"));
    CHECK(needed.wanted("ui"));
    CHECK(!needed.wanted("u"));
}
