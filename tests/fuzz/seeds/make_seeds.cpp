// Writes the seed corpora of the fuzz targets into OUT_DIR/<target>/: platform strings, index,
// manifest, config and metadata.json documents like the tests use, and tar layers (plain, gzip,
// zstd; good and hostile) made with the project's tar builder. Run by tests/fuzz/run.sh.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fixtures/tar_builder.hpp"

namespace {

namespace fs = std::filesystem;
using namespace deskext::fixtures;

void write_seeds(const fs::path& dir, const std::vector<std::string>& seeds) {
    fs::create_directories(dir);
    for (std::size_t i = 0; i < seeds.size(); ++i) {
        std::ofstream out(dir / ("seed-" + std::to_string(i)), std::ios::binary);
        out << seeds[i];
    }
}

const std::string k_digest =
    "sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b";

std::string descriptor(const std::string& media_type, const std::string& extra = "") {
    return R"({"mediaType":")" + media_type + R"(","digest":")" + k_digest + R"(","size":1234)" +
           extra + "}";
}

std::vector<std::string> index_seeds() {
    const std::string amd64 = descriptor("application/vnd.oci.image.manifest.v1+json",
                                         R"(,"platform":{"os":"linux","architecture":"amd64"})");
    const std::string arm64 =
        descriptor("application/vnd.docker.distribution.manifest.v2+json",
                   R"(,"platform":{"os":"linux","architecture":"arm64","variant":"v8"})");
    return {
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)" +
            amd64 + "," + arm64 + "]}",
        R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.list.v2+json","manifests":[)" +
            arm64 + "]}",
        R"({"schemaVersion":2,"manifests":[],"annotations":{"org.opencontainers.image.ref.name":"1.0"}})",
        R"({"schemaVersion":2,"manifests":[)" +
            descriptor("application/vnd.oci.image.index.v1+json") + "]}",
        R"({"schemaVersion":1,"name":"x","fsLayers":[]})",
    };
}

std::vector<std::string> manifest_seeds() {
    const std::string config = descriptor("application/vnd.oci.image.config.v1+json");
    const std::string layer = descriptor("application/vnd.oci.image.layer.v1.tar+gzip");
    return {
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":)" +
            config + R"(,"layers":[)" + layer + "," +
            descriptor("application/vnd.oci.image.layer.v1.tar+zstd") + "]}",
        R"({"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":)" +
            descriptor("application/vnd.docker.container.image.v1+json") + R"(,"layers":[)" +
            descriptor("application/vnd.docker.image.rootfs.diff.tar.gzip") + "]}",
        R"({"schemaVersion":2,"config":)" + config + R"(,"layers":[)" +
            descriptor("application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                       R"(,"urls":["https://example.invalid/layer"])") +
            "]}",
    };
}

std::vector<std::string> config_seeds() {
    return {
        R"({"architecture":"amd64","os":"linux","config":{"Labels":{"org.opencontainers.image.title":"Example","com.docker.desktop.extension.api.version":">= 0.3.0"}},"rootfs":{"type":"layers","diff_ids":[")" +
            k_digest + R"("]}})",
        R"({"architecture":"arm64","variant":"v8","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})",
        R"({"architecture":"arm","os":"linux","config":{"Labels":null}})",
    };
}

std::vector<std::string> metadata_seeds() {
    return {
        R"({"icon":"docker.svg","ui":{"dashboard-tab":{"title":"Tool","src":"index.html","root":"ui","backend":{"socket":"backend.sock"}}},"vm":{"composefile":"docker-compose.yaml","exposes":{"socket":"backend.sock"}},"host":{"binaries":[{"darwin":[{"path":"/darwin/tool"}],"windows":[{"path":"/windows/tool.exe"}],"linux":[{"path":"/linux/tool"},{"path":"/linux/lib/"}]}]}})",
        R"({"icon":"/a/../b.svg","ui":{"dashboard-tab":{"title":1,"root":"/ui"}}})",
        R"({"icon":"i.svg","host":{"binaries":[{"windows":[{"path":"/w/CON"},{"path":"/w/a."},{"path":"/x/a:b"}]}]}})",
        R"({"icon":"i.svg","host":{"binaries":[{"linux":[{"path":"/a/tool"},{"path":"/b/tool"}]}]},"unknown":true})",
        R"({"vm":{"image":"${DESKTOP_PLUGIN_IMAGE}"}})",
    };
}

std::vector<std::string> platform_seeds() {
    return {"linux/amd64",
            "linux/arm64/v8",
            "darwin/x86_64",
            "windows/aarch64",
            "linux/arm/v7",
            "linux",
            "/",
            "linux//",
            "LINUX/AMD64"};
}

std::vector<std::string> reference_seeds() {
    return {"alpine",
            "docker/volumes-backup-extension:1.1.0",
            "localhost:5000/acme/ext:1.0",
            "127.0.0.1:5000/a/b/c@" + k_digest,
            "ghcr.io/acme/ext:v1@" + k_digest,
            "docker.io/library/foo",
            "[::1]:5000/x:y",
            "Upper/Case"};
}

std::vector<std::string> www_authenticate_seeds() {
    return {
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")",
        R"(Basic realm="registry")",
        R"(Bearer realm="http://127.0.0.1:1/token", Basic realm="x", error="insufficient_scope")",
        R"(Bearer realm="a"b\c")",
        // A plain-HTTP realm on another host: credentials are not sent there.
        R"(Basic realm="http://auth.example.invalid/token",service="r")",
        R"({"token":"abc","access_token":"def","expires_in":300,"issued_at":"2026-01-01T00:00:00Z"})"};
}

// registries.conf files (containers-registries.conf(5)) and daemon.json, as administrators
// write them.
std::vector<std::string> registries_conf_seeds() {
    return {
        "unqualified-search-registries = [\"docker.io\", 'quay.io']\n"
        "[[registry]]\nprefix = \"docker.io\"\nlocation = \"hub.mirror.lan/hub\"\n"
        "insecure = false  # comment\n"
        "  [[registry.mirror]]\n  location = \"localhost:5000\"\n  insecure = true\n"
        "  pull-from-mirror = \"digest-only\"\n"
        "[[registry]]\nprefix = \"*.corp.example\"\nblocked = true\n"
        "[[registry]]\nlocation = \"quay.io\"\nmirror-by-digest-only = true\n"
        "[[registry.mirror]]\nlocation = \"m.lan\"\n",
        "[aliases]\n\"alpine\" = \"docker.io/library/alpine\"\n\"a\\u00e9\" = 'x'\n",
        "\xef\xbb\xbf[[registry]]\r\nlocation = \"a.io\"\r\n[registry.x]\n",
        "list = [\n  # c\n  \"x\",\n]\n[t]\n[t.u]\nk = false\n",
        R"({"registry-mirrors": ["https://mirror.gcr.io", "http://10.0.0.1:5000/"]})"};
}

// NAME \0 MESSAGE \0 PATH \0 then the numbers (tests/fuzz/fuzz_events.cpp).
std::vector<std::string> event_seeds() {
    using namespace std::string_literals;
    return {"progress\0\0/tmp/root/acme_ext\0\x10\0\0\0\0\0\0\0\x20\0\0\0\0\0\0\0"s,
            "error\0cannot install /ui/caf\xe9.txt\0C:\\ext\\x\0"s,
            "warning\0\x1b[2J\r\n\"quoted\" \xf0\x9f\x93\xa6\0\xed\xa0\x80\0"s,
            "inst\xff" "alled\0\0\0"s};
}

const std::string k_layer_separator = "\n--deskext-layer--\n";

// The images of the resource cases (SECURITY.md, "Bounded resources"), small enough to fuzz:
// deep directories under a chain of links, a UI directory that leads to the image root, many
// long names, and one blob listed twice.
std::vector<std::string> resource_layer_seeds() {
    std::string deep = "d";
    for (int i = 1; i < 200; ++i) deep += "/d";
    std::vector<TarEntry> chain{file(deep + "/f", "deep down")};
    for (int i = 0; i < 39; ++i)
        chain.push_back(deskext::fixtures::symlink(
            deep + "/l" + std::to_string(i),
            "/" + deep + "/" + (i == 38 ? "f" : "l" + std::to_string(i + 1))));
    chain.push_back(deskext::fixtures::symlink("ui/x", "/" + deep + "/l0"));
    const std::vector<TarEntry> root_ui{deskext::fixtures::symlink("ui", "/"),
                                        deskext::fixtures::symlink("top", "."), file("...", "dots"),
                                        file("metadata.json", "{}")};
    std::vector<TarEntry> names;
    for (int i = 0; i < 64; ++i)
        names.push_back(file(std::to_string(i) + std::string(1000, 'n'), ""));
    const std::string twice = make_tar(names, TarCompression::gzip);
    return {make_tar(chain, TarCompression::none), make_tar(root_ui, TarCompression::none),
            twice + k_layer_separator + twice};
}

std::vector<std::string> layer_seeds() {
    const std::string metadata = metadata_seeds()[0];
    const std::vector<TarEntry> good{dir("ui"),
                                     file("metadata.json", metadata),
                                     file("ui/index.html", "<html></html>"),
                                     file("linux/tool", std::string(3000, 'x'), 0755),
                                     deskext::fixtures::symlink("darwin", "linux"),
                                     hardlink("tool2", "linux/tool")};
    const std::vector<TarEntry> hostile{
        file("../escape", "x"),
        deskext::fixtures::symlink("out", "/etc"),
        file("out/passwd", "root::0:0::/:/bin/sh"),
        hardlink("h", "/etc/passwd"),
        file(".wh..wh..opq", ""),
        file("a/.wh...", ""),
        file("suid", "x", 04755),
        TarEntry{"dev", TarType::char_device, {}, 0666, {}},
        TarEntry{"fifo", TarType::fifo, {}, 0644, {}},
    };
    std::vector<std::string> seeds{
        make_tar(good, TarCompression::none), make_tar(good, TarCompression::gzip),
        make_tar(good, TarCompression::zstd), make_tar(hostile, TarCompression::none)};
    // Two layers: a symlink out of the root below, an entry written through it above.
    seeds.push_back(
        make_tar({deskext::fixtures::symlink("lib", "/usr/lib")}, TarCompression::none) +
        k_layer_separator +
        make_tar({file("lib/x.so", "elf"), file(".wh.lib", "")}, TarCompression::none));
    for (const std::string& seed : resource_layer_seeds()) seeds.push_back(seed);
    return seeds;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUT_DIR\n", argv[0]);
        return 2;
    }
    const fs::path out = argv[1];
    write_seeds(out / "fuzz_platform", platform_seeds());
    write_seeds(out / "fuzz_index", index_seeds());
    write_seeds(out / "fuzz_manifest", manifest_seeds());
    write_seeds(out / "fuzz_config", config_seeds());
    write_seeds(out / "fuzz_metadata", metadata_seeds());
    write_seeds(out / "fuzz_layer", layer_seeds());
    write_seeds(out / "fuzz_reference", reference_seeds());
    write_seeds(out / "fuzz_www_authenticate", www_authenticate_seeds());
    write_seeds(out / "fuzz_events", event_seeds());
    write_seeds(out / "fuzz_registries_conf", registries_conf_seeds());
    return 0;
}
