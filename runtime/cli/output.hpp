#pragma once
// How a command talks back: events (JSON lines on stdout with --json, lines on stderr for
// people), a summary for people on stdout, and the final result or error with its exit code.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "deskext/error.hpp"
#include "deskext/events/event_sink.hpp"

namespace deskext::cli {

class Output {
public:
    explicit Output(bool json);
    [[nodiscard]] bool json() const { return m_json; }
    [[nodiscard]] EventSink& events() { return *m_events; }

    // Printed on stdout for people; nothing in JSON mode (stdout carries only events there).
    void summary(const std::string& text);

    // Emits the closing "result" (fields merged in) or "error" event and returns the exit code.
    [[nodiscard]] int finish(const Result<nlohmann::json>& result);

private:
    bool m_json;
    std::unique_ptr<EventSink> m_events;
};

}  // namespace deskext::cli
