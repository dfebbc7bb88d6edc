// Fuzzes the event writers with what an image or a registry puts into events: file names,
// messages, digests, sizes. Whatever the bytes, a --json line must be one JSON object on one
// line, "event" first (docs/events.md), and the lines for people must not fail.
// Input: NAME \0 MESSAGE \0 PATH, then 16 bytes of numbers (a progress event's bytes and total).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "deskext/events/sinks.hpp"

namespace {

std::string_view take_until_nul(std::string_view& text) {
    const auto end = text.find('\0');
    const auto piece = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    return piece;
}

std::int64_t take_number(std::string_view& text) {
    std::uint64_t value = 0;
    const auto n = std::min<std::size_t>(sizeof value, text.size());
    std::memcpy(&value, text.data(), n);
    text.remove_prefix(n);
    return static_cast<std::int64_t>(value >> 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string name(take_until_nul(text));
    const std::string message(take_until_nul(text));
    const std::string path(take_until_nul(text));
    const auto bytes = take_number(text);
    const auto total = take_number(text);
    const nlohmann::json fields = {{"message", message}, {"directory", path},
                                   {"binaries", {path, message}}, {"bytes", bytes},
                                   {"total", total}, {"layer", 1}, {"phase", "download"}};

    const auto line = deskext::format_event_line(name, fields);
    if (line.find('\n') != std::string::npos) std::abort();
    const auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("event") || !parsed["event"].is_string())
        std::abort();
    if (line.rfind(R"({"event":)", 0) != 0) std::abort();

    static std::FILE* sink_out = std::fopen("/dev/null", "w");
    if (sink_out == nullptr) std::abort();
    for (const bool terminal : {false, true}) {
        deskext::HumanSink human(sink_out, terminal, [] { return std::size_t{40}; });
        for (const char* event : {"started", "progress", "warning", "installed", "error"})
            human.emit(event, fields);
        human.emit(name, fields);
    }
    return 0;
}
