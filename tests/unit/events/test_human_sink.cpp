#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include "deskext/events/sinks.hpp"

using namespace deskext;

namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};

// Everything a HumanSink wrote for `events`.
std::string human_output(bool terminal,
                         const std::vector<std::pair<std::string, nlohmann::json>>& events) {
    std::unique_ptr<std::FILE, FileCloser> file(std::tmpfile());
    REQUIRE(file);
    HumanSink sink(file.get(), terminal);
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

TEST_CASE("human sink: plain lines without a terminal", "[events]") {
    const auto out = human_output(false, two_layers);
    CHECK(out.find('\r') == std::string::npos);
    CHECK(out.find('\x1b') == std::string::npos);
    CHECK(out.starts_with("download layer 1 done (2.0 KB, "));
    CHECK(out.find("download layer 2 done (3.0 MB, ") != std::string::npos);
    CHECK(out.ends_with("warning: done\n"));
}
