#pragma once
// A multi-arch test extension ("acme/tool-ext"), written as an OCI layout by the project's
// fixture code, and the helpers the integration tests share to run the real deskext binary.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "fixtures/oci_layout.hpp"
#include "fixtures/process.hpp"
#include "fixtures/temp_dir.hpp"

namespace deskext::testing {

// What the fixture's binaries contain, per host os and image arch.
[[nodiscard]] std::string tool_bytes(const std::string& os, const std::string& arch);

// The two variants of the test extension. The arm64 variant carries no windows binary (the
// documented TARGETARCH pattern), so windows/arm64 hosts must be refused.
[[nodiscard]] std::vector<fixtures::ImageVariant> tool_extension_variants(
    const std::string& version = "1.0.0");

// The metadata.json of the test extension.
[[nodiscard]] std::string tool_metadata();
[[nodiscard]] std::string tool_icon();
[[nodiscard]] std::string tool_ui_index();
[[nodiscard]] std::string tool_compose();

struct Run {
    int exit_code = 0;
    std::string out;
    std::string err;
    std::vector<nlohmann::json> events;  // parsed stdout lines when --json was given
    long peak_rss_kib = 0;               // the largest resident set deskext had
    [[nodiscard]] const nlohmann::json& last() const { return events.back(); }
    [[nodiscard]] std::vector<nlohmann::json> of(const std::string& event) const;
};

// The command that runs deskext: the binary of this build, or the words of DESKEXT_TEST_COMMAND
// when it is set (tests/windows/run-tests.sh: deskext.exe under Wine).
[[nodiscard]] std::vector<std::string> deskext_command();

// Whether deskext runs through DESKEXT_TEST_COMMAND (deskext.exe under Wine), not as the binary
// of this build: for the few checks of what Wine itself cannot do (docs/testing.md).
[[nodiscard]] bool through_test_command();

// The command that runs `program` (a host binary deskext installed) with `args` on the host
// deskext runs on: the program itself, or under DESKEXT_TEST_COMMAND the words that run deskext
// but the last (deskext.exe), so that a Windows program runs under Wine too.
[[nodiscard]] std::vector<std::string> host_command(const std::filesystem::path& program,
                                                    const std::vector<std::string>& args);

// Whether a path deskext reported (an event's "directory", "root") names `expected`, which the
// test gave it. deskext.exe joins the names it adds with '\\': read as '/' under
// DESKEXT_TEST_COMMAND (no test path holds a backslash of its own).
[[nodiscard]] bool reports_path(std::string reported, const std::filesystem::path& expected);

// Runs the real deskext binary with HOME pointed at `home` (never the real one), plus
// `extra_env` (which overrides, e.g. DESKEXT_CACHE_DIR, DOCKER_CONFIG).
[[nodiscard]] Run run_deskext(const std::vector<std::string>& args,
                              const std::filesystem::path& home,
                              const std::map<std::string, std::string>& extra_env = {});

// Starts deskext like run_deskext, with its standard streams on /dev/null, and returns without
// waiting: for tests that run several at once or kill one midway.
[[nodiscard]] fixtures::ChildProcess spawn_deskext(
    const std::vector<std::string>& args, const std::filesystem::path& home,
    const std::map<std::string, std::string>& extra_env = {});

// The exit status run_deskext and spawn_deskext report for a deskext that a crash point
// (DESKEXT_CRASH_AT) killed: 128 + SIGKILL for the binary of this build, and what deskext.exe
// under Wine ends with (platform::kill_self: TerminateProcess with 137, which Wine passes on as
// the exit status) under DESKEXT_TEST_COMMAND.
[[nodiscard]] int killed_exit_code();

// Parses the stdout of a `deskext ... --json` run (one JSON object a line) and appends every
// line, with the arguments that produced it, to the events log that tests/CMakeLists.txt checks
// against docs/events.schema.json once the suites have run. Every run with --json goes through
// here (run_deskext does).
[[nodiscard]] std::vector<nlohmann::json> json_events(const std::vector<std::string>& args,
                                                      const std::string& out);

struct Blob {
    std::string digest;  // "sha256:<hex>"
    long size = 0;
};

// The manifest, config and layers of the linux/`arch` image of the test extension in an OCI
// layout.
struct ImageBlobs {
    Blob manifest;
    Blob config;
    std::vector<Blob> layers;
};

// Throws std::runtime_error when the layout has no linux/`arch` image.
[[nodiscard]] ImageBlobs image_blobs(const std::filesystem::path& layout, const std::string& arch);

// Runs skopeo (which must be installed: the tests fail, never skip, without it).
void skopeo_copy(const std::vector<std::string>& args);

// Every regular file under `dir` (relative path → content), and every path (files, dirs, links).
[[nodiscard]] std::map<std::string, std::string> read_tree(const std::filesystem::path& dir);
[[nodiscard]] std::uint32_t mode_of(const std::filesystem::path& path);

// The bytes of a file.
[[nodiscard]] std::string slurp(const std::filesystem::path& path);

}  // namespace deskext::testing
