// The install lifecycle of the real deskext binary under crashes, concurrency, full disks,
// read-only roots and missing permissions: whatever happens, the extension is either the old
// version or the new one, whole, and the next run cleans up what a dead one left. The cases
// tagged [host] (the crash points, two deskext processes at once) hold on every host and also
// run against deskext.exe under Wine (tests/windows/run-tests.sh sets DESKEXT_TEST_COMMAND);
// the others need the Linux binary itself (killed with SIGKILL at random moments, a lock held
// with flock by the test) or Linux mounts.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "deskext/platform/file_lock.hpp"
#include "extension_fixture.hpp"
#include "fixtures/files.hpp"
#include "fixtures/test_registry.hpp"
#include "install/crash_point.hpp"

using namespace deskext;
using namespace deskext::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view ext = "acme_tool-ext";
const std::string v2_index = "<html><body>tool v2</body></html>\n";
const std::string v2_tool = "tool v2 for linux\n";

// Version 2 of the test extension: another version label and other content in the UI and the
// linux binary, so that a mixture of the two versions cannot pass for either.
std::vector<fixtures::ImageVariant> v2_variants() {
    auto variants = tool_extension_variants("2.0.0");
    for (auto& v : variants) {
        for (auto& entry : v.layers.back()) {
            if (entry.name == "ui/index.html") entry.data = v2_index;
            if (entry.name == "linux/tool") entry.data = v2_tool;
        }
    }
    return variants;
}

// v2 without one entry of its top layer (the icon, a declared binary).
std::vector<fixtures::ImageVariant> v2_without(const std::string& name) {
    auto variants = v2_variants();
    for (auto& v : variants)
        std::erase_if(v.layers.back(), [&](const auto& e) { return e.name == name; });
    return variants;
}

struct Images {
    fixtures::TempDir dir{"deskext-lifecycle-"};
    std::string v1 = "oci:" + (dir / "v1").string() + ":1.0.0";
    std::string v2 = "oci:" + (dir / "v2").string() + ":2.0.0";
    Images() {
        fixtures::write_multi_arch_image(dir / "v1", "1.0.0", tool_extension_variants("1.0.0"));
        fixtures::write_multi_arch_image(dir / "v2", "2.0.0", v2_variants());
    }
};

const Images& images() {
    static Images images;
    return images;
}

std::vector<std::string> install_args(const std::string& command, const std::string& source,
                                      const std::filesystem::path& root) {
    return {command,       source,   "--platform",    "linux/amd64", "--root",
            root.string(), "--name", "acme/tool-ext", "--json"};
}

// The installed tree without its state record, path → content.
std::map<std::string, std::string> tree_of(const std::filesystem::path& dir) {
    auto tree = read_tree(dir);
    tree.erase(".deskext/state.json");
    return tree;
}

// The trees v1 and v2 install for linux/amd64, from real installs.
struct ExpectedTrees {
    std::map<std::string, std::string> v1, v2;
    ExpectedTrees() {
        fixtures::TempDir home;
        for (auto* source : {&images().v1, &images().v2}) {
            auto run = run_deskext(install_args("install", *source, home / "root"), home.path());
            if (run.exit_code != 0)
                throw std::runtime_error("reference install failed: " + run.out);
            (source == &images().v1 ? v1 : v2) = tree_of(home / "root" / ext);
        }
    }
};

const ExpectedTrees& expected() {
    static ExpectedTrees trees;
    return trees;
}

enum class Found { none, v1, v2 };

// What `ls` and `verify` say about the root: nothing, v1 or v2, each whole and verified. Fails
// the test on anything else (a broken entry, drift, a mixture). `verify` is the first run after
// a crash, so it also reports the cleanup it did in `cleaned`.
Found check_whole(const std::filesystem::path& root, const std::filesystem::path& home,
                  bool* cleaned = nullptr) {
    auto ls = run_deskext({"ls", "--root", root.string(), "--json"}, home);
    INFO(ls.out << ls.err);
    REQUIRE(ls.exit_code == 0);
    const auto& listed = ls.last()["extensions"];
    auto verify = run_deskext({"verify", "acme/tool-ext", "--root", root.string(), "--json"}, home);
    INFO(verify.out << verify.err);
    if (cleaned != nullptr) *cleaned = !verify.of("cleanup").empty();
    // After the cleanup nothing but the extension is left in the root.
    for (const auto& entry : fixtures::names_in(root)) CHECK(entry == ext);
    if (listed.empty()) {
        CHECK(verify.exit_code == 3);
        CHECK_FALSE(std::filesystem::exists(root / ext));
        return Found::none;
    }
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["name"] == ext);
    CHECK(listed[0]["broken"] == false);
    REQUIRE(verify.exit_code == 0);
    CHECK(verify.last()["drift"].empty());
    auto tree = tree_of(root / ext);
    if (tree == expected().v1) {
        CHECK(listed[0]["version"] == "1.0.0");
        return Found::v1;
    }
    CHECK(tree == expected().v2);  // never a mixture
    CHECK(listed[0]["version"] == "2.0.0");
    return Found::v2;
}

std::map<std::string, std::string> crash_at(std::string_view point) {
    return {{"DESKEXT_CRASH_AT", std::string(point)}};
}

// A tmpfs mounted on a fresh directory, unmounted at scope exit. Mounting needs root (or
// CAP_SYS_ADMIN); `ok` says whether it worked.
class TmpfsMount {
public:
    TmpfsMount(const std::filesystem::path& dir, const std::string& options) : m_dir(dir) {
        std::filesystem::create_directories(dir);
        m_ok = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0;
    }
    ~TmpfsMount() {
        if (m_ok) ::umount2(m_dir.c_str(), MNT_DETACH);
    }
    TmpfsMount(const TmpfsMount&) = delete;
    TmpfsMount& operator=(const TmpfsMount&) = delete;
    [[nodiscard]] bool ok() const { return m_ok; }
    [[nodiscard]] bool remount(bool read_only) const {
        return ::mount(nullptr, m_dir.c_str(), nullptr,
                       MS_REMOUNT | (read_only ? static_cast<unsigned long>(MS_RDONLY) : 0UL),
                       nullptr) == 0;
    }

private:
    std::filesystem::path m_dir;
    bool m_ok = false;
};

// The error of a failed run, checked against what every disk or permission failure must be:
// exit 11, category filesystem, a message naming a path in the root and the OS's reason.
void check_filesystem_error(const Run& run, const std::filesystem::path& root,
                            const std::string& reason) {
    INFO(run.out << run.err);
    CHECK(run.exit_code == 11);
    REQUIRE_FALSE(run.events.empty());
    CHECK(run.last()["code"] == "filesystem");
    const auto message = run.last()["message"].get<std::string>();
    CHECK(message.find(root.string()) != std::string::npos);
    CHECK(message.find(reason) != std::string::npos);
}

}  // namespace

TEST_CASE("lifecycle: killed at every step of a first install", "[integration][lifecycle][host]") {
    for (auto point : install_crash_points) {
        DYNAMIC_SECTION(point) {
            fixtures::TempDir home;
            auto root = home / "root";
            auto crashed = run_deskext(install_args("install", images().v1, root), home.path(),
                                       crash_at(point));
            REQUIRE(crashed.exit_code == killed_exit_code());
            bool cleaned = false;
            auto found = check_whole(root, home.path(), &cleaned);
            CHECK(found == (point == "install-after-swap" ? Found::v1 : Found::none));
            CHECK(cleaned);  // at least the dead run's lock file
            // The root works as before: the install goes through.
            auto again = run_deskext(install_args("install", images().v1, root), home.path());
            REQUIRE(again.exit_code == 0);
            CHECK(again.of("cleanup").empty());  // nothing left to clean
            CHECK(check_whole(root, home.path()) == Found::v1);
        }
    }
}

TEST_CASE("lifecycle: killed at every step of an update", "[integration][lifecycle][host]") {
    for (auto point : install_crash_points) {
        DYNAMIC_SECTION(point) {
            fixtures::TempDir home;
            auto root = home / "root";
            REQUIRE(
                run_deskext(install_args("install", images().v1, root), home.path()).exit_code ==
                0);
            auto crashed = run_deskext(install_args("update", images().v2, root), home.path(),
                                       crash_at(point));
            REQUIRE(crashed.exit_code == killed_exit_code());
            if (point != "install-locked") {
                // The dead run left its staging directory (or, after the swap, the old version
                // in it) next to the extension.
                bool staging = false;
                for (const auto& entry : fixtures::names_in(root))
                    staging = staging || entry.starts_with(".acme_tool-ext.staging-");
                CHECK(staging);
            }
            bool cleaned = false;
            auto found = check_whole(root, home.path(), &cleaned);
            CHECK(found == (point == "install-after-swap" ? Found::v2 : Found::v1));
            CHECK(cleaned);
            auto again = run_deskext(install_args("update", images().v2, root), home.path());
            REQUIRE(again.exit_code == 0);
            CHECK(check_whole(root, home.path()) == Found::v2);
        }
    }
}

TEST_CASE("lifecycle: killed at every step of an uninstall", "[integration][lifecycle][host]") {
    for (auto point : uninstall_crash_points) {
        DYNAMIC_SECTION(point) {
            fixtures::TempDir home;
            auto root = home / "root";
            REQUIRE(
                run_deskext(install_args("install", images().v1, root), home.path()).exit_code ==
                0);
            auto crashed =
                run_deskext({"uninstall", "acme/tool-ext", "--root", root.string(), "--json"},
                            home.path(), crash_at(point));
            REQUIRE(crashed.exit_code == killed_exit_code());
            bool cleaned = false;
            auto found = check_whole(root, home.path(), &cleaned);
            CHECK(found == (point == "uninstall-locked" ? Found::v1 : Found::none));
            CHECK(cleaned);
            if (found == Found::v1) {
                auto again = run_deskext(
                    {"uninstall", "acme/tool-ext", "--root", root.string(), "--json"}, home.path());
                CHECK(again.exit_code == 0);
            }
            CHECK(fixtures::names_in(root).empty());
        }
    }
}

TEST_CASE("lifecycle: installs killed at random moments", "[integration][lifecycle]") {
    fixtures::TempDir home;
    auto root = home / "root";
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    // How long a whole update takes here, to kill within it.
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(run_deskext(install_args("update", images().v2, root), home.path()).exit_code == 0);
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);

    std::mt19937 random(std::random_device{}());
    std::uniform_int_distribution<long> delay(0, took.count() + 5);
    std::set<Found> seen;
    for (int i = 0; i < 20; ++i) {
        const auto& source = i % 2 == 0 ? images().v1 : images().v2;
        std::vector<std::string> argv{DESKEXT_BINARY};
        for (auto& a : install_args("install", source, root)) argv.push_back(a);
        argv.push_back("--force");
        const auto wait = std::chrono::milliseconds(delay(random));
        INFO("iteration " << i << ", killed after " << wait.count() << " ms");
        auto child =
            fixtures::spawn_process(argv, {{"HOME", home.path().string()}, {"DESKEXT_ROOT", ""}});
        std::this_thread::sleep_for(wait);
        child.kill(SIGKILL);
        const int status = child.wait();
        CHECK((status == 0 || status == 128 + SIGKILL));
        auto found = check_whole(root, home.path());
        CHECK(found != Found::none);
        seen.insert(found);
    }
    CHECK(fixtures::names_in(root) == std::vector<std::string>{std::string(ext)});
}

TEST_CASE("lifecycle: two installs of one extension at once", "[integration][lifecycle]") {
    fixtures::TempDir home;
    auto root = home / "root";
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    const auto lock_file = root / ".deskext-locks" / "acme_tool-ext.lock";

    // This test holds the extension's lock itself, with the flock of the Linux build: only the
    // Linux binary can see it (Wine's LockFileEx does not take or test flock locks). The [host]
    // case below has another deskext hold it.
    SECTION("the second one is refused at once with busy") {
        auto held = platform::FileLock::acquire(lock_file, platform::LockMode::exclusive,
                                                platform::no_wait);
        REQUIRE(held);
        const auto started = std::chrono::steady_clock::now();
        auto busy = run_deskext(install_args("update", images().v2, root), home.path());
        INFO(busy.out << busy.err);
        CHECK(busy.exit_code == 10);
        CHECK(busy.last()["code"] == "busy");
        CHECK(busy.last()["message"].get<std::string>().find("--wait") != std::string::npos);
        CHECK(std::chrono::steady_clock::now() - started < 5s);
        auto uninstall = run_deskext(
            {"uninstall", "acme/tool-ext", "--root", root.string(), "--json"}, home.path());
        CHECK(uninstall.exit_code == 10);
        auto short_wait = run_deskext(
            {"uninstall", "acme/tool-ext", "--root", root.string(), "--wait=0.3", "--json"},
            home.path());
        CHECK(short_wait.exit_code == 10);
        held->release();
        CHECK(check_whole(root, home.path()) == Found::v1);
    }

    SECTION("with --wait the second one waits and then installs") {
        auto held = platform::FileLock::acquire(lock_file, platform::LockMode::exclusive,
                                                platform::no_wait);
        REQUIRE(held);
        auto args = install_args("update", images().v2, root);
        args.push_back("--wait");
        auto waiter = spawn_deskext(args, home.path());
        std::this_thread::sleep_for(500ms);
        CHECK(tree_of(root / ext) == expected().v1);  // still waiting
        held->release();
        CHECK(waiter.wait() == 0);
        CHECK(check_whole(root, home.path()) == Found::v2);
    }
}

TEST_CASE("lifecycle: two deskext processes racing for one extension",
          "[integration][lifecycle][host]") {
    fixtures::TempDir home;
    auto root = home / "root";
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    // One wins, the other is busy or finds it done.
    for (int round = 0; round < 4; ++round) {
        const auto& source = round % 2 == 0 ? images().v2 : images().v1;
        auto args = install_args("install", source, root);
        args.push_back("--force");
        auto a = spawn_deskext(args, home.path());
        auto b = spawn_deskext(args, home.path());
        const int sa = a.wait();
        const int sb = b.wait();
        INFO("round " << round << ": exits " << sa << " and " << sb);
        CHECK((sa == 0 || sa == 10));
        CHECK((sb == 0 || sb == 10));
        CHECK((sa == 0 || sb == 0));
        CHECK(check_whole(root, home.path()) == (round % 2 == 0 ? Found::v2 : Found::v1));
    }
}

// The lock held by another deskext process (the same binary: deskext.exe under Wine in the
// Windows leg, where the lock is LockFileEx), not by the test: an install from a registry whose
// blobs each arrive 3 s late holds the extension's lock all that time.
TEST_CASE("lifecycle: a deskext holding the lock makes the next one busy, or wait",
          "[integration][lifecycle][host]") {
    fixtures::TempDir home;
    auto root = home / "root";
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    fixtures::TestRegistry registry(home / "registry", {});
    registry.push(images().dir / "v1", "1.0.0", "acme/tool-ext:1.0.0");
    fixtures::FaultProxy proxy(home / "proxy", registry.host());
    proxy.add_fault({fixtures::Fault::Kind::delay_ms, "/blobs/", 1000, 3000, "", ""});

    auto holder_args = install_args("install", proxy.host() + "/acme/tool-ext:1.0.0", root);
    holder_args.insert(holder_args.end(), {"--force", "--insecure-registry", proxy.host()});
    auto holder = spawn_deskext(holder_args, home.path(),
                                {{"DESKEXT_CACHE_DIR", (home / "holder-cache").string()}});
    // The manifest is read with the lock held; the blobs (config, then the layers) follow, each
    // 3 s late: the lock stays held at least 6 s from here.
    const auto manifest_read = [&] {
        for (const auto& request : proxy.requests())
            if (request.starts_with("GET ") && request.find("/manifests/") != std::string::npos)
                return true;
        return false;
    };
    for (int waited = 0; !manifest_read() && waited < 60'000; waited += 50)
        std::this_thread::sleep_for(50ms);
    REQUIRE(manifest_read());

    const auto started = std::chrono::steady_clock::now();
    auto busy = run_deskext(install_args("update", images().v2, root), home.path());
    INFO(busy.out << busy.err);
    CHECK(busy.exit_code == 10);
    REQUIRE_FALSE(busy.events.empty());
    CHECK(busy.last()["code"] == "busy");
    CHECK(busy.last()["message"].get<std::string>().find("--wait") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    auto uninstall =
        run_deskext({"uninstall", "acme/tool-ext", "--root", root.string(), "--json"}, home.path());
    CHECK(uninstall.exit_code == 10);
    auto short_wait =
        run_deskext({"uninstall", "acme/tool-ext", "--root", root.string(), "--wait=0.3", "--json"},
                    home.path());
    CHECK(short_wait.exit_code == 10);

    // --wait: the update waits for the holder, then goes through: v2 is what is left.
    auto wait_args = install_args("update", images().v2, root);
    wait_args.push_back("--wait");
    auto waiter = spawn_deskext(wait_args, home.path());
    CHECK(holder.wait() == 0);
    CHECK(waiter.wait() == 0);
    CHECK(check_whole(root, home.path()) == Found::v2);
}

TEST_CASE("lifecycle: update refused when the new version is incomplete",
          "[integration][lifecycle]") {
    fixtures::TempDir home;
    auto root = home / "root";
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    for (const std::string missing : {"tool.svg", "linux/tool"}) {
        DYNAMIC_SECTION("without " << missing) {
            auto layout = home / ("v2-without-" + std::to_string(missing.size()));
            fixtures::write_multi_arch_image(layout, "2.0.0", v2_without(missing));
            auto run = run_deskext(
                install_args("update", "oci:" + layout.string() + ":2.0.0", root), home.path());
            INFO(run.out << run.err);
            CHECK(run.exit_code == 8);
            CHECK(run.last()["code"] == "invalid_extension");
            CHECK(run.last()["message"].get<std::string>().find("/" + missing) !=
                  std::string::npos);
            CHECK(check_whole(root, home.path()) == Found::v1);
        }
    }
}

TEST_CASE("lifecycle: a staging directory left by a crash is cleaned by the next update",
          "[integration][lifecycle]") {
    fixtures::TempDir home;
    auto root = home / "root";
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    // What a run killed mid-extraction leaves: a half-filled staging directory, and a lock file.
    const auto leftover = root / ".acme_tool-ext.staging-dead-beef-0000";
    std::filesystem::create_directories(leftover / "host");
    std::ofstream(leftover / "host/tool") << "half a binary";
    std::filesystem::create_directories(root / ".deskext-locks");
    std::ofstream(root / ".deskext-locks/acme_tool-ext.lock");

    auto run = run_deskext(install_args("update", images().v2, root), home.path());
    INFO(run.out << run.err);
    REQUIRE(run.exit_code == 0);
    auto cleanup = run.of("cleanup");
    REQUIRE(cleanup.size() == 1);
    CHECK(cleanup[0]["staging"] == nlohmann::json::array({leftover.string()}));
    CHECK(cleanup[0]["lock_files"] ==
          nlohmann::json::array({(root / ".deskext-locks/acme_tool-ext.lock").string()}));
    CHECK(cleanup[0]["message"].get<std::string>().find("interrupted") != std::string::npos);
    CHECK(check_whole(root, home.path()) == Found::v2);

    // People see it too.
    std::filesystem::create_directories(leftover);
    auto human = run_deskext({"verify", "acme/tool-ext", "--root", root.string()}, home.path());
    CHECK(human.exit_code == 0);
    CHECK(human.err.find("removed what an interrupted deskext run left") != std::string::npos);
}

TEST_CASE("lifecycle: uninstall after the image is gone", "[integration][lifecycle]") {
    fixtures::TempDir home;
    auto root = home / "root";
    auto layout = home / "layout";
    fixtures::write_multi_arch_image(layout, "1.0.0", tool_extension_variants("1.0.0"));
    REQUIRE(
        run_deskext(install_args("install", "oci:" + layout.string() + ":1.0.0", root), home.path())
            .exit_code == 0);
    std::filesystem::remove_all(layout);
    auto run =
        run_deskext({"uninstall", "acme/tool-ext", "--root", root.string(), "--json"}, home.path());
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK(fixtures::names_in(root).empty());
}

TEST_CASE("lifecycle: verify reports drift", "[integration][lifecycle][verify]") {
    fixtures::TempDir home;
    auto root = home / "root";
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    const auto dir = root / ext;
    auto clean =
        run_deskext({"verify", "acme/tool-ext", "--root", root.string(), "--json"}, home.path());
    REQUIRE(clean.exit_code == 0);
    CHECK(clean.last()["drift"].empty());
    CHECK(clean.of("verified").size() == 1);

    std::ofstream(dir / "ui/ui/index.html", std::ios::app) << "<!-- edited -->";
    std::filesystem::remove(dir / "tool.svg");
    std::ofstream(dir / "host/extra") << "not installed by deskext";
    std::filesystem::permissions(dir / "host/tool", std::filesystem::perms(0700));
    // deskext's own files are not drift.
    std::ofstream(dir / ".deskext/notes") << "ignored";

    auto run =
        run_deskext({"verify", "acme/tool-ext", "--root", root.string(), "--json"}, home.path());
    INFO(run.out << run.err);
    CHECK(run.exit_code == 8);
    CHECK(run.last()["code"] == "invalid_extension");
    CHECK(run.last()["message"].get<std::string>().find("drifted") != std::string::npos);
    auto verified = run.of("verified");
    REQUIRE(verified.size() == 1);
    std::map<std::string, std::string> drift;
    for (const auto& d : verified[0]["drift"]) drift[d["path"]] = d["problem"];
    CHECK(drift == std::map<std::string, std::string>{{"host/extra", "extra"},
                                                      {"host/tool", "mode"},
                                                      {"tool.svg", "missing"},
                                                      {"ui/ui/index.html", "changed"}});
    auto human = run_deskext({"verify", "acme/tool-ext", "--root", root.string()}, home.path());
    CHECK(human.exit_code == 8);
    CHECK(human.out.find("tool.svg") != std::string::npos);

    // A reinstall repairs it (extra files of a reinstall are gone: the directory is replaced).
    REQUIRE(run_deskext(
                [&] {
                    auto a = install_args("install", images().v1, root);
                    a.push_back("--force");
                    return a;
                }(),
                home.path())
                .exit_code == 0);
    CHECK(check_whole(root, home.path()) == Found::v1);
}

TEST_CASE("lifecycle: no space left on the device", "[integration][lifecycle][faults]") {
    fixtures::TempDir home;
    auto root = home / "root";
    // A small tmpfs: v1 fits, v2 carries a 4 MiB binary that does not. Where mounting is not
    // allowed, the platform's fault-injection seam fails the staging the same way.
    TmpfsMount mount(root, "size=1m,mode=0755");
    std::map<std::string, std::string> env;
    auto variants = v2_variants();
    for (auto& v : variants)
        for (auto& entry : v.layers.back())
            if (entry.name == "linux/tool") entry.data.append(4u << 20, '\0');
    auto big = home / "big";
    fixtures::write_multi_arch_image(big, "2.0.0", variants);
    if (!mount.ok()) {
        WARN("cannot mount a tmpfs here: injecting ENOSPC through DESKEXT_FAULT_INJECT");
        env["DESKEXT_FAULT_INJECT"] = "ENOSPC:/host";
    }
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    auto run = run_deskext(install_args("update", "oci:" + big.string() + ":2.0.0", root),
                           home.path(), env);
    check_filesystem_error(run, root, "No space left on device");
    CHECK(check_whole(root, home.path()) == Found::v1);  // staging removed, v1 untouched
}

TEST_CASE("lifecycle: the fault-injection seam fails staging like a full disk",
          "[integration][lifecycle][faults]") {
    // Always run, so the seam the tests fall back on where mounting is impossible stays honest.
    fixtures::TempDir home;
    auto root = home / "root";
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    for (const std::string fault : {"ENOSPC:/host", "EACCES:metadata.json", "EROFS:.staging-"}) {
        DYNAMIC_SECTION(fault) {
            auto run = run_deskext(install_args("update", images().v2, root), home.path(),
                                   {{"DESKEXT_FAULT_INJECT", fault}});
            const auto reason = fault.starts_with("ENOSPC")   ? "No space left on device"
                                : fault.starts_with("EACCES") ? "Permission denied"
                                                              : "Read-only file system";
            check_filesystem_error(run, root, reason);
            CHECK(check_whole(root, home.path()) == Found::v1);
        }
    }
}

TEST_CASE("lifecycle: a read-only root", "[integration][lifecycle][faults]") {
    fixtures::TempDir home;
    auto root = home / "root";
    TmpfsMount mount(root, "size=4m,mode=0755");
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    std::map<std::string, std::string> env;
    if (mount.ok()) {
        REQUIRE(mount.remount(true));
    } else {
        WARN("cannot mount a tmpfs here: injecting EROFS through DESKEXT_FAULT_INJECT");
        env["DESKEXT_FAULT_INJECT"] = "EROFS";
    }
    auto run = run_deskext(install_args("update", images().v2, root), home.path(), env);
    check_filesystem_error(run, root, "Read-only file system");
    auto uninstall = run_deskext({"uninstall", "acme/tool-ext", "--root", root.string(), "--json"},
                                 home.path(), env);
    check_filesystem_error(uninstall, root, "Read-only file system");
    // Reading still works on a read-only root.
    auto verify = run_deskext({"verify", "acme/tool-ext", "--root", root.string(), "--json"},
                              home.path(), env);
    CHECK(verify.exit_code == 0);
    if (mount.ok()) REQUIRE(mount.remount(false));
    CHECK(check_whole(root, home.path()) == Found::v1);
}

TEST_CASE("lifecycle: permission denied", "[integration][lifecycle][faults]") {
    fixtures::TempDir home;
    auto root = home / "root";
    REQUIRE(run_deskext(install_args("install", images().v1, root), home.path()).exit_code == 0);
    auto args = install_args("update", images().v2, root);
    Run run;
    if (::geteuid() == 0 && !fixtures::find_program("setpriv").empty()) {
        // As an unprivileged user, against a root owned by root: the real EACCES.
        std::filesystem::permissions(home.path(), std::filesystem::perms(0755));
        std::filesystem::permissions(images().dir.path(), std::filesystem::perms(0755));
        std::vector<std::string> argv{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                                      DESKEXT_BINARY};
        argv.insert(argv.end(), args.begin(), args.end());
        auto result =
            fixtures::run_process(argv, {{"HOME", home.path().string()}, {"DESKEXT_ROOT", ""}});
        run.exit_code = result.exit_code;
        run.out = result.out;
        run.err = result.err;
        run.events = json_events(args, result.out);
    } else {
        WARN("not root or no setpriv: injecting EACCES through DESKEXT_FAULT_INJECT");
        run = run_deskext(args, home.path(), {{"DESKEXT_FAULT_INJECT", "EACCES"}});
    }
    check_filesystem_error(run, root, "Permission denied");
    CHECK(check_whole(root, home.path()) == Found::v1);
}
