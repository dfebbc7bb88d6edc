#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <regex>
#include <string>

#include "deskext/events/sinks.hpp"

using namespace deskext;

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// Everything a HumanSink wrote for `events`, on a terminal `columns` wide (0: unknown).
std::string human_output(bool terminal,
                         const std::vector<std::pair<std::string, nlohmann::json>>& events,
                         std::size_t columns = 0) {
    std::unique_ptr<std::FILE, FileCloser> file(std::tmpfile());
    REQUIRE(file);
    HumanSink sink(file.get(), terminal, [columns] { return columns; });
    for (const auto& [name, fields] : events) sink.emit(name, fields);
    std::fflush(file.get());
    std::rewind(file.get());
    std::string out;
    for (int c = std::fgetc(file.get()); c != EOF; c = std::fgetc(file.get()))
        out += static_cast<char>(c);
    return out;
}

nlohmann::json progress(std::size_t layer, std::int64_t bytes, std::int64_t total) {
    return {{"phase", "download"},
            {"layer", layer},
            {"digest", "sha256:x"},
            {"bytes", bytes},
            {"total", total}};
}

const std::vector<std::pair<std::string, nlohmann::json>> two_layers{
    {"progress", progress(0, 0, 2000)},
    {"progress", progress(1, 0, 3'000'000)},
    {"progress", progress(0, 2000, 2000)},
    {"progress", progress(1, 1'500'000, 3'000'000)},
    {"progress", progress(1, 3'000'000, 3'000'000)},
    {"warning", {{"message", "done"}}}};

}  // namespace

TEST_CASE("human sink: one bar per layer, redrawn in place, on a terminal", "[events]") {
    const auto out = human_output(true, two_layers);
    // Each update redraws both bars: up over them, then each from column 0.
    CHECK(out.find("\x1b[2A") != std::string::npos);
    CHECK(out.find("\r\x1b[2Kdownload layer  1 [####################]   2.0 KB / 2.0 KB") !=
          std::string::npos);
    CHECK(out.find("\r\x1b[2Kdownload layer  2 [##########          ]   1.5 MB / 3.0 MB") !=
          std::string::npos);
    CHECK(out.find("B/s\n") != std::string::npos);
    // The bars stay; the next line comes below them.
    CHECK(out.ends_with("B/s\nwarning: done\n"));
}

// The bar lines drawn (what follows each "\r" + erase-line, up to the end of its line).
std::vector<std::string> drawn_lines(const std::string& out) {
    std::vector<std::string> lines;
    const std::string start = "\r\x1b[2K";
    for (auto at = out.find(start); at != std::string::npos; at = out.find(start, at + 1)) {
        const auto from = at + start.size();
        lines.push_back(out.substr(from, out.find('\n', from) - from));
    }
    return lines;
}

TEST_CASE("human sink: a bar line never reaches the terminal's last column", "[events]") {
    SECTION("80 columns, and a terminal that does not tell its width: the full gauge") {
        for (std::size_t columns : {std::size_t{0}, std::size_t{80}, std::size_t{200}}) {
            const auto out = human_output(true, two_layers, columns);
            CHECK(out.find("\r\x1b[2Kdownload layer  1 [####################]   2.0 KB / "
                           "2.0 KB") != std::string::npos);
        }
    }
    SECTION("60 columns: a narrower gauge") {
        const auto out = human_output(true, two_layers, 60);
        CHECK(out.find("\r\x1b[2Kdownload layer  1 [########]   2.0 KB / 2.0 KB") !=
              std::string::npos);
        CHECK(out.find("\r\x1b[2Kdownload layer  2 [####    ]   1.5 MB / 3.0 MB") !=
              std::string::npos);
        for (const auto& line : drawn_lines(out)) CHECK(line.size() <= 59);
    }
    SECTION("50 columns: no gauge, bytes and rate still shown") {
        const auto out = human_output(true, two_layers, 50);
        CHECK(out.find(" [") == std::string::npos);
        CHECK(out.find('#') == std::string::npos);
        const auto lines = drawn_lines(out);
        REQUIRE(!lines.empty());
        for (const auto& line : lines) {
            CHECK(line.size() <= 49);
            CHECK(std::regex_match(
                line,
                std::regex(R"(download layer  [12] +[0-9.]+ [KM]?B / [0-9.]+ [KM]?B +.*B/s)")));
        }
    }
    SECTION("20 columns: each line cut short") {
        const auto out = human_output(true, two_layers, 20);
        const auto lines = drawn_lines(out);
        REQUIRE(!lines.empty());
        for (const auto& line : lines) {
            CHECK(line.size() == 19);
            CHECK(line.starts_with("download layer  "));
        }
        // Redrawn in place as before: up over the two bars.
        CHECK(out.find("\x1b[2A") != std::string::npos);
    }
}

TEST_CASE("human sink: plain lines without a terminal", "[events]") {
    const auto out = human_output(false, two_layers);
    CHECK(out.find('\r') == std::string::npos);
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.starts_with("download layer 1 done (2.0 KB, "));
    CHECK(out.find("download layer 2 done (3.0 MB, ") != std::string::npos);
    CHECK(out.ends_with("warning: done\n"));
}

TEST_CASE("human sink: bytes that are not UTF-8 in a list never fail the line", "[events]") {
    const std::string latin1 = "caf\xe9";
    std::string out;
    REQUIRE_NOTHROW(out =
                        human_output(false, {{"started",
                                              {{"command", "export"},
                                               {"sources", {latin1, nlohmann::json{{"k", latin1}}}},
                                               {"output", "bundle.tar"}}}}));
    CHECK(out.find("export caf\xe9, {\"k\":\"caf\xef\xbf\xbd\"} to bundle.tar") !=
          std::string::npos);
}
