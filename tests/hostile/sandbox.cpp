#include "sandbox.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include <fmt/format.h>

#include "deskext/digest.hpp"
#include "deskext/oci/media_types.hpp"

namespace deskext::hostile {

namespace fs = std::filesystem;

std::string good_metadata() {
    return R"({
  "icon": "tool.svg",
  "ui": { "dashboard-tab": { "title": "Tool", "src": "index.html", "root": "/ui" } },
  "host": { "binaries": [ {
    "linux": [ { "path": "/linux/tool" } ],
    "darwin": [ { "path": "/darwin/tool" } ],
    "windows": [ { "path": "/windows/tool.exe" } ]
  } ] }
})";
}

std::vector<TarEntry> good_layer(const std::string& metadata) {
    return {fixtures::file("metadata.json", metadata),
            fixtures::file("tool.svg", "<svg/>\n"),
            fixtures::dir("ui"),
            fixtures::file("ui/index.html", "<html>good</html>\n"),
            fixtures::dir("linux"),
            fixtures::file("linux/tool", "#!/bin/sh\necho linux tool\n", 0755),
            fixtures::dir("darwin"),
            fixtures::file("darwin/tool", "darwin tool\n", 0755),
            fixtures::dir("windows"),
            fixtures::file("windows/tool.exe", "MZ windows tool\n", 0755)};
}

RawLayer raw_layer(const std::vector<TarEntry>& entries, TarCompression compression) {
    return {fixtures::make_tar(entries, compression), fixtures::layer_media_type(compression)};
}

std::map<std::string, std::string> snapshot(const fs::path& dir, const fs::path& excluded) {
    std::map<std::string, std::string> out;
    for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
         ++it) {
        const fs::path& path = it->path();
        if (!excluded.empty() && path == excluded) {
            it.disable_recursion_pending();
            continue;
        }
        struct stat st {};
        REQUIRE(::lstat(path.c_str(), &st) == 0);
        std::string what = fmt::format("{:o}", static_cast<unsigned>(st.st_mode));
        if (S_ISREG(st.st_mode)) what += " " + sha256_of(testing::slurp(path)).str();
        if (S_ISLNK(st.st_mode)) what += " -> " + fs::read_symlink(path).string();
        out[fs::relative(path, dir).generic_string()] = what;
    }
    return out;
}

namespace {

void write(const fs::path& path, const std::string& data, fs::perms perms) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << data;
    fs::permissions(path, perms);
}

}  // namespace

Sandbox::Sandbox()
    : m_sentinel(m_dir.path()), m_root(m_dir / "extensions"), m_images(m_home / "images") {
    using fs::perms;
    write(m_sentinel / "secret.txt", "the user's secret\n", perms::owner_read | perms::owner_write);
    write(m_sentinel / "etc" / "passwd", "root:x:0:0:sentinel:/root:/bin/sh\n",
          perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
    write(m_sentinel / "bin" / "sh", "#!/bin/sh\n", perms::owner_all | perms::group_read);
    write(target_area() / "keep.txt", "keep\n", perms::owner_read | perms::owner_write);
    fs::create_symlink("secret.txt", m_sentinel / "link-to-secret");
    fs::create_symlink(target_area(), m_sentinel / "link-to-area");
    fs::create_directories(m_root);
    fs::create_directories(m_images);

    // The version a failed case must leave in place.
    const auto run = install(image_over_good("good", {}));
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    m_sentinel_before = snapshot(m_sentinel, m_root);
    m_installed_before = snapshot(installed());
    m_root_names_before = names_in(m_root);
    REQUIRE(m_installed_before.contains("host/tool"));
}

fs::path Sandbox::layout_dir(const std::string& name) const { return m_images / name; }

fs::path Sandbox::image(const std::string& name, const std::vector<RawLayer>& layers) {
    fixtures::OciLayoutWriter writer(layout_dir(name));
    nlohmann::json diff_ids = nlohmann::json::array();
    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", media_type::oci_manifest},
                               {"layers", nlohmann::json::array()}};
    for (const auto& layer : layers) {
        const auto d = writer.add_blob(layer.blob, layer.media_type);
        // Not the real diff_id of a compressed layer: deskext does not read diff_ids.
        diff_ids.push_back(d.digest.str());
        manifest["layers"].push_back(
            {{"mediaType", d.media_type}, {"digest", d.digest.str()}, {"size", d.size}});
    }
    const nlohmann::json config = {
        {"architecture", "amd64"},
        {"os", "linux"},
        {"config", {{"Labels", {{"org.opencontainers.image.version", "2.0"}}}}},
        {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}};
    const auto c = writer.add_blob(config.dump(), std::string(media_type::oci_config));
    manifest["config"] = {
        {"mediaType", c.media_type}, {"digest", c.digest.str()}, {"size", c.size}};
    auto m = writer.add_blob(manifest.dump(), std::string(media_type::oci_manifest));
    m.platform = platform::make_platform("linux", "amd64");
    (void)writer.add_index({m}, k_tag);
    return layout_dir(name);
}

fs::path Sandbox::image_over_good(const std::string& name,
                                  const std::vector<std::vector<TarEntry>>& extra,
                                  TarCompression compression) {
    std::vector<RawLayer> layers{raw_layer(good_layer(), compression)};
    for (const auto& entries : extra) layers.push_back(raw_layer(entries, compression));
    return image(name, layers);
}

testing::Run Sandbox::install(const fs::path& layout, const std::vector<std::string>& extra,
                              const std::string& host) const {
    std::vector<std::string> args{"install",    "oci:" + layout.string() + ":" + k_tag,
                                  "--name",     k_name,
                                  "--root",     m_root.string(),
                                  "--platform", host,
                                  "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_deskext(args, m_home.path());
}

testing::Run Sandbox::install_source(const std::string& source,
                                     const std::map<std::string, std::string>& env,
                                     const std::vector<std::string>& extra) const {
    std::vector<std::string> args{"install", source,           "--name",     k_name,
                                  "--root",  m_root.string(), "--platform", "linux/amd64",
                                  "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_deskext(args, m_home.path(), env);
}

void Sandbox::check_sentinel() const {
    CHECK(snapshot(m_sentinel, m_root) == m_sentinel_before);
    CHECK(names_in(m_root) == m_root_names_before);
}

void Sandbox::check_refused(const testing::Run& run, int exit_code,
                            const std::vector<std::string>& needles) const {
    INFO("stdout: " << run.out << "stderr: " << run.err);
    CHECK(run.exit_code == exit_code);
    // The JSON contract (docs/events.md): every stdout line is an event (run_deskext parsed
    // them all), and a failed run ends with an `error` event that carries its exit code and a
    // message, whatever the input did; never an internal error.
    REQUIRE_FALSE(run.events.empty());
    const auto& last = run.last();
    CHECK(last["event"] == "error");
    CHECK(last["exit"] == run.exit_code);
    CHECK(last["ok"] == false);
    CHECK(last["code"] != "internal");
    const std::string message = last.value("message", "");
    for (const auto& needle : needles) CHECK(message.find(needle) != std::string::npos);
    check_sentinel();
    CHECK(snapshot(installed()) == m_installed_before);
}

}  // namespace deskext::hostile
