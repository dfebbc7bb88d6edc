// Progress for people: under a real pseudo-terminal (util-linux `script`) the install draws one
// bar per layer with bytes and rate and redraws the bars in place; without a terminal, stderr
// holds plain lines only.

#include <catch2/catch.hpp>

#include <random>
#include <regex>
#include <set>

#include "extension_fixture.hpp"

using namespace deskext;
using namespace deskext::testing;
namespace fs = std::filesystem;

namespace {

// The test extension with a third layer of incompressible bytes, big enough for progress events
// in the middle of the layer (one per 4 MiB) and not installed (not under a declared path).
void write_big_image(const fs::path& layout) {
    std::mt19937_64 random(42);
    std::string noise(10 << 20, '\0');
    for (auto& c : noise) c = static_cast<char>(random());
    auto variants = tool_extension_variants();
    for (auto& v : variants) v.layers.push_back({fixtures::file("data/noise.bin", noise)});
    fixtures::write_multi_arch_image(layout, "1.0.0", variants);
}

std::string quoted(const std::string& text) {
    std::string out = "'";
    for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// What the pseudo-terminal showed when `install` ran on it, `columns` wide.
fixtures::ProcessResult run_on_terminal(const std::vector<std::string>& install,
                                        const fs::path& work, int columns) {
    // The pty script opens has no size of its own unless its stdin is a terminal: stty sets it.
    std::string command = "stty cols " + std::to_string(columns) + " rows 40; ";
    command += quoted(DESKEXT_BINARY);
    for (const auto& a : install) command += " " + quoted(a);
    command += " --root " + quoted((work / "root").string());
    // -q quiet, -f flush at once, -e the command's exit status, -c the command; the pty's
    // output (stdout and stderr of deskext, both on the terminal) is script's stdout.
    return fixtures::run_process(
        {"script", "-qfec", command, "/dev/null"},
        {{"HOME", work.string()}, {"DESKEXT_ROOT", ""}, {"TERM", "xterm"}});
}

// The text between carriage returns and line feeds.
std::vector<std::string> pieces(const std::string& text) {
    std::vector<std::string> out(1);
    for (const char c : text) {
        if (c == '\r' || c == '\n') {
            out.emplace_back();
        } else {
            out.back() += c;
        }
    }
    return out;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("progress: bars per layer on a terminal, plain lines otherwise",
          "[integration][progress]") {
    REQUIRE_FALSE(fixtures::find_program("script").empty());  // util-linux (bsdutils)
    fixtures::TempDir work("deskext-progress-");
    const auto layout = work / "layout";
    write_big_image(layout);
    const std::vector<std::string> install{"install",    "oci:" + layout.string() + ":1.0.0",
                                           "--name",     "acme/big",
                                           "--platform", "linux/amd64"};

    SECTION("on a terminal") {
        auto run = run_on_terminal(install, work.path(), 100);
        INFO(run.out << run.err);
        REQUIRE(run.exit_code == 0);
        const auto& screen = run.out;
        CHECK_THAT(screen, Catch::Contains("installed acme_big"));
        // A bar: phase, layer, a [####    ] gauge, bytes done / total, and a rate.
        const std::regex bar(
            R"((verify|extract) layer +(\d+) \[(#*) *\] +[0-9.]+ [KMG]?B / [0-9.]+ [KMG]?B +[0-9.]+ [KMG]?B/s)");
        std::set<std::string> layers_drawn;
        std::size_t bars = 0;
        for (auto it = std::sregex_iterator(screen.begin(), screen.end(), bar);
             it != std::sregex_iterator(); ++it) {
            if ((*it)[1] == "verify") layers_drawn.insert((*it)[2]);
            ++bars;
        }
        CHECK(layers_drawn == std::set<std::string>{"1", "2", "3"});  // one bar per layer
        // Redrawn in place: each redraw goes back up over the bars, and starts each at column 0.
        CHECK(std::regex_search(screen, std::regex("\x1b\\[[0-9]+A")));
        CHECK(count(screen, "\r\x1b[2K") >= bars);
        // The 10 MiB layer's bar is drawn again as it fills (a progress event every 4 MiB):
        // partly filled with a part of the bytes, then full.
        const std::regex big(R"(verify layer +3 \[(#*) *\] +([0-9.]+ [KM]?B) / 10\.5 MB)");
        std::set<std::string> fills;
        for (auto it = std::sregex_iterator(screen.begin(), screen.end(), big);
             it != std::sregex_iterator(); ++it)
            fills.insert((*it)[2].str());
        INFO("layer 3 drawn at " << fills.size() << " byte counts");
        CHECK(fills.size() >= 3);
        CHECK(fills.contains("10.5 MB"));
        CHECK(std::regex_search(screen, std::regex(R"(verify layer +3 \[#{1,19} +\] )")));
        CHECK(std::regex_search(screen,
                                std::regex(R"(verify layer +3 \[#{20}\] +10\.5 MB / 10\.5 MB)")));
    }

    SECTION("on a narrow terminal, bar lines fit: no wrapped line breaks the redraw") {
        auto run = run_on_terminal(install, work.path(), 50);
        INFO(run.out << run.err);
        REQUIRE(run.exit_code == 0);
        // Without the escape sequences, every piece of a bar line between two carriage returns
        // or line feeds is at most 49 characters.
        const auto screen = std::regex_replace(run.out, std::regex("\x1b\\[[0-9]*[A-Za-z]"), "");
        std::size_t bar_lines = 0;
        for (const auto& piece : pieces(screen)) {
            if (!std::regex_search(piece, std::regex("^(verify|extract) layer "))) continue;
            ++bar_lines;
            CHECK(piece.size() <= 49);
        }
        CHECK(bar_lines >= 3);
        CHECK_THAT(run.out, Catch::Contains("installed acme_big"));
    }

    SECTION("without a terminal") {
        auto run = run_deskext(
            [&] {
                auto args = install;
                args.insert(args.end(), {"--root", (work / "root").string()});
                return args;
            }(),
            work.path());
        INFO(run.err);
        REQUIRE(run.exit_code == 0);
        CHECK(run.err.find('\r') == std::string::npos);
        CHECK(run.err.find('\x1b') == std::string::npos);
        CHECK(run.out.find('\x1b') == std::string::npos);
        CHECK(std::regex_search(
            run.err, std::regex(R"(verify layer 3 done \(10\.5 MB, [0-9.]+ [KMG]?B/s\)\n)")));
        CHECK_THAT(run.err, Catch::Contains("verify layer 1 done"));
        CHECK_THAT(run.out, Catch::Contains("installed acme_big"));
    }
}
