#include "extension_fixture.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "fixtures/host_programs.hpp"

namespace deskext::testing {

std::string tool_bytes(const std::string& os, const std::string& arch) {
    return fixtures::host_program(os, arch, "tool for " + os + "/" + arch);
}

std::string tool_metadata() {
    return R"({
  "icon": "tool.svg",
  "vm": { "composefile": "docker-compose.yaml", "exposes": { "socket": "tool.sock" } },
  "ui": { "dashboard-tab": { "title": "Tool", "src": "index.html", "root": "/ui",
                             "backend": { "socket": "tool.sock" } } },
  "host": { "binaries": [ {
    "darwin": [ { "path": "/darwin/tool" }, { "path": "/scripts/tool-helper.sh" } ],
    "windows": [ { "path": "/windows/tool.exe" } ],
    "linux": [ { "path": "/linux/tool" }, { "path": "/scripts/tool-helper.sh" } ]
  } ] }
})";
}

std::string tool_icon() { return "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"; }
std::string tool_ui_index() { return "<html><body>tool</body></html>\n"; }
std::string tool_compose() { return "services:\n  tool:\n    image: acme/tool-backend\n"; }

std::vector<fixtures::ImageVariant> tool_extension_variants(const std::string& version) {
    std::vector<fixtures::ImageVariant> variants;
    for (std::string arch : {"amd64", "arm64"}) {
        fixtures::ImageVariant v;
        v.architecture = arch;
        v.labels = {{"org.opencontainers.image.title", "Tool"},
                    {"org.opencontainers.image.version", version},
                    {"com.docker.desktop.extension.api.version", ">= 0.3.0"}};
        // A base layer the installer must not copy anything from, with a stale UI file that the
        // top layer deletes with a whiteout and a directory the top layer makes opaque.
        v.layers.push_back({
            fixtures::dir("etc"),
            fixtures::file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
            fixtures::dir("ui"),
            fixtures::file("ui/stale.js", "old\n"),
            fixtures::dir("ui/assets"),
            fixtures::file("ui/assets/old.css", "old\n"),
            fixtures::file("backend", "backend binary\n", 0755),
        });
        std::vector<fixtures::TarEntry> top = {
            fixtures::file("metadata.json", tool_metadata()),
            fixtures::file("tool.svg", tool_icon()),
            fixtures::file("docker-compose.yaml", tool_compose()),
            fixtures::file("ui/.wh.stale.js", ""),
            fixtures::file("ui/index.html", tool_ui_index()),
            fixtures::file("ui/assets/.wh..wh..opq", ""),
            fixtures::file("ui/assets/app.js", "console.log('tool')\n"),
            fixtures::dir("darwin"),
            fixtures::file("darwin/tool", tool_bytes("darwin", arch), 04755),
            fixtures::dir("linux"),
            fixtures::file("linux/tool", tool_bytes("linux", arch), 0777),
            fixtures::dir("scripts"),
            fixtures::file("scripts/tool-helper.sh", "#!/bin/sh\necho helper\n", 0644),
        };
        if (arch == "amd64") {
            top.push_back(fixtures::dir("windows"));
            top.push_back(fixtures::file("windows/tool.exe", tool_bytes("windows", arch)));
        }
        v.layers.push_back(std::move(top));
        variants.push_back(std::move(v));
    }
    return variants;
}

std::vector<nlohmann::json> Run::of(const std::string& event) const {
    std::vector<nlohmann::json> found;
    for (const auto& e : events)
        if (e.value("event", "") == event) found.push_back(e);
    return found;
}

std::vector<std::string> deskext_command() {
    const char* command = std::getenv("DESKEXT_TEST_COMMAND");
    if (command == nullptr || *command == '\0') return {DESKEXT_BINARY};
    std::vector<std::string> words;
    std::istringstream split(command);
    for (std::string word; split >> word;) words.push_back(word);
    return words;
}

bool through_test_command() {
    const char* command = std::getenv("DESKEXT_TEST_COMMAND");
    return command != nullptr && *command != '\0';
}

std::vector<std::string> host_command(const std::filesystem::path& program,
                                      const std::vector<std::string>& args) {
    std::vector<std::string> argv;
    if (through_test_command()) {
        argv = deskext_command();
        argv.pop_back();
    }
    argv.push_back(program.string());
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

bool reports_path(std::string reported, const std::filesystem::path& expected) {
    if (through_test_command()) std::ranges::replace(reported, '\\', '/');
    return reported == expected.string();
}

Run run_deskext(const std::vector<std::string>& args, const std::filesystem::path& home,
                const std::map<std::string, std::string>& extra_env) {
    std::vector<std::string> argv = deskext_command();
    argv.insert(argv.end(), args.begin(), args.end());
    std::map<std::string, std::string> env{{"HOME", home.string()}, {"DESKEXT_ROOT", ""}};
    for (const auto& [key, value] : extra_env) env[key] = value;
    auto result = fixtures::run_process(argv, env);
    Run run{result.exit_code, result.out, result.err, {}, result.peak_rss_kib};
    bool json = false;
    for (const auto& a : args) json = json || a == "--json";
    if (json) run.events = json_events(args, result.out);
    return run;
}

fixtures::ChildProcess spawn_deskext(const std::vector<std::string>& args,
                                     const std::filesystem::path& home,
                                     const std::map<std::string, std::string>& extra_env) {
    std::vector<std::string> argv = deskext_command();
    argv.insert(argv.end(), args.begin(), args.end());
    std::map<std::string, std::string> env{{"HOME", home.string()}, {"DESKEXT_ROOT", ""}};
    for (const auto& [key, value] : extra_env) env[key] = value;
    return fixtures::spawn_process(argv, env);
}

int killed_exit_code() {
    return through_test_command() ? 137 /* TerminateProcess(…, 137) */ : 128 + SIGKILL;
}

std::vector<nlohmann::json> json_events(const std::vector<std::string>& args,
                                        const std::string& out) {
    std::vector<nlohmann::json> events;
    std::string log;
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
        log += nlohmann::json{{"args", args}, {"line", line}}.dump(
                   -1, ' ', false, nlohmann::json::error_handler_t::replace) +
               '\n';
        events.push_back(nlohmann::json::parse(line));  // stdout holds only JSON lines
    }
#ifdef DESKEXT_EVENTS_LOG
    // One append per run: test processes running in parallel never interleave within a line.
    const int fd = ::open(DESKEXT_EVENTS_LOG, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw std::runtime_error(std::string("cannot open ") + DESKEXT_EVENTS_LOG);
    const auto written = ::write(fd, log.data(), log.size());
    ::close(fd);
    if (written != static_cast<ssize_t>(log.size()))
        throw std::runtime_error(std::string("cannot append to ") + DESKEXT_EVENTS_LOG);
#endif
    return events;
}

void skopeo_copy(const std::vector<std::string>& args) {
    if (fixtures::find_program("skopeo").empty())
        throw std::runtime_error("skopeo is not installed (packaging/install-deps.sh installs it)");
    std::vector<std::string> argv{"skopeo", "--insecure-policy", "copy", "--quiet"};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = fixtures::run_process(argv);
    if (result.exit_code != 0) throw std::runtime_error("skopeo copy failed: " + result.err);
}

std::map<std::string, std::string> read_tree(const std::filesystem::path& dir) {
    std::map<std::string, std::string> out;
    for (auto it = std::filesystem::recursive_directory_iterator(dir);
         it != std::filesystem::recursive_directory_iterator(); ++it) {
        auto rel = std::filesystem::relative(it->path(), dir).generic_string();
        if (it->is_symlink())
            out[rel] = "<symlink>";
        else if (it->is_directory())
            out[rel + "/"] = "";
        else
            out[rel] = slurp(it->path());
    }
    return out;
}

std::uint32_t mode_of(const std::filesystem::path& path) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) throw std::runtime_error("lstat " + path.string());
    return static_cast<std::uint32_t>(st.st_mode & 07777);
}

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

namespace {

nlohmann::json read_blob(const std::filesystem::path& layout, const std::string& digest) {
    return nlohmann::json::parse(slurp(layout / "blobs" / "sha256" / digest.substr(7)));
}

std::optional<ImageBlobs> find_image(const std::filesystem::path& layout,
                                     const nlohmann::json& index, const std::string& arch) {
    for (const auto& d : index.at("manifests")) {
        auto doc = read_blob(layout, d.at("digest").get<std::string>());
        if (doc.contains("manifests")) {
            if (auto found = find_image(layout, doc, arch)) return found;
            continue;
        }
        if (!d.contains("platform") || d["platform"].value("architecture", "") != arch) continue;
        ImageBlobs blobs;
        blobs.manifest = {d["digest"], d["size"]};
        blobs.config = {doc["config"]["digest"], doc["config"]["size"]};
        for (const auto& l : doc.at("layers")) blobs.layers.push_back({l["digest"], l["size"]});
        return blobs;
    }
    return std::nullopt;
}

}  // namespace

ImageBlobs image_blobs(const std::filesystem::path& layout, const std::string& arch) {
    auto found = find_image(layout, nlohmann::json::parse(slurp(layout / "index.json")), arch);
    if (!found) throw std::runtime_error("no linux/" + arch + " image in " + layout.string());
    return *found;
}

}  // namespace deskext::testing
