// The --json line of an event (deskext/events/sinks.hpp): one JSON object on one line, "event"
// first, whatever bytes the image put into it.

#include <catch2/catch.hpp>

#include <string>

#include "deskext/events/sinks.hpp"

using deskext::format_event_line;

TEST_CASE("events: a JSON line has the event first and its fields after", "[events]") {
    CHECK(format_event_line("started", {{"command", "install"}}) ==
          R"({"event":"started","command":"install"})");
    CHECK(format_event_line("result", nlohmann::json::object()) == R"({"event":"result"})");
}

TEST_CASE("events: bytes that are not UTF-8 are replaced, never thrown on", "[events]") {
    // A Latin-1 file name in a message, in a list, and even in the event's name.
    const std::string latin1 = "caf\xe9.txt";
    const nlohmann::json fields = {{"message", "skipped /ui/" + latin1}, {"binaries", {latin1}}};
    const std::string names[] = {"warning",
                                 "inst\xff"
                                 "alled"};
    for (const std::string& name : names) {
        std::string line;
        REQUIRE_NOTHROW(line = format_event_line(name, fields));
        CHECK(line.find('\n') == std::string::npos);
        const auto parsed = nlohmann::json::parse(line);
        CHECK(parsed["message"] == "skipped /ui/caf\xef\xbf\xbd.txt");  // U+FFFD
        CHECK(parsed["binaries"][0] == "caf\xef\xbf\xbd.txt");
        CHECK(line.rfind(R"({"event":)", 0) == 0);
    }
}
