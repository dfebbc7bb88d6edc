#pragma once
// The two ways events reach their reader: JSON lines for programs (--json), and short lines with
// progress bars for people.

#include <cstdio>
#include <map>
#include <string>

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

// Lines for a person on `out` (stderr). On a terminal, layer progress is a bar per layer redrawn
// in place; otherwise one line per finished layer.
class HumanSink final : public EventSink {
public:
    HumanSink(std::FILE* out, bool terminal) : m_out(out), m_terminal(terminal) {}
    void emit(std::string_view name, nlohmann::json fields) override;

private:
    void progress(const nlohmann::json& fields);
    std::FILE* m_out;
    bool m_terminal;
    bool m_bar_open = false;  // the last line written is a progress bar without a newline
};

// Formats a JSON line for an event ("event" first, then the fields).
[[nodiscard]] std::string format_event_line(std::string_view name, const nlohmann::json& fields);

}  // namespace deskext
