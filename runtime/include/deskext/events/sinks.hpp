#pragma once
// The two ways events reach their reader: JSON lines for programs (--json), and short lines with
// progress bars for people.

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "deskext/events/event_sink.hpp"

namespace deskext {

// One JSON object per line, "event" first, flushed at once (Docker Desktop reads it live).
class JsonLinesSink final : public EventSink {
public:
    explicit JsonLinesSink(std::FILE* out) : m_out(out) {}
    void emit(std::string_view name, nlohmann::json fields) override;

private:
    std::FILE* m_out;
};

// Lines for a person on `out` (stderr). On a terminal, each phase (download, verify, extract,
// export) shows one bar per layer with its bytes and rate, all redrawn in place as progress
// events arrive (layers download concurrently, and are verified while they download); otherwise
// one plain line per finished layer and phase, with no escape sequence or carriage return.
class HumanSink final : public EventSink {
public:
    // `columns` tells the terminal's width at each redraw (0: unknown, taken as 80), so that a
    // bar line never wraps, which would break the redraw in place.
    HumanSink(std::FILE* out, bool terminal, std::function<std::size_t()> columns = {})
        : m_out(out), m_terminal(terminal), m_columns(std::move(columns)) {}
    void emit(std::string_view name, nlohmann::json fields) override;

private:
    struct Bar {
        std::int64_t bytes = 0;
        std::int64_t total = 0;
        // When its layer began: the time of the event before its first one (a layer's first
        // progress event may come after its first bytes were read).
        std::chrono::steady_clock::time_point started;
        std::chrono::steady_clock::duration elapsed{};  // up to its last event
    };
    void progress(const nlohmann::json& fields);
    void redraw();
    [[nodiscard]] static std::string bar_line(const std::string& phase, std::size_t layer,
                                              const Bar& bar, std::size_t columns);
    std::FILE* m_out;
    bool m_terminal;
    std::function<std::size_t()> m_columns;
    std::map<std::pair<std::string, std::size_t>, Bar> m_bars;  // by phase and layer index
    std::size_t m_lines_drawn = 0;  // bar lines above the cursor, to redraw in place
    std::chrono::steady_clock::time_point m_last_event = std::chrono::steady_clock::now();
};

// Formats a JSON line for an event ("event" first, then the fields).
[[nodiscard]] std::string format_event_line(std::string_view name, const nlohmann::json& fields);

}  // namespace deskext
