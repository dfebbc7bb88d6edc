#pragma once
// Events: what deskext tells its caller while it works. The library emits them; the CLI chooses
// how they are shown (JSON lines for Docker Desktop, lines and progress for people).
// Every event type and its fields are documented in docs/events.md.

#include <string_view>

#include <nlohmann/json.hpp>

namespace deskext {

class EventSink {
public:
    virtual ~EventSink() = default;
    // `fields` is a JSON object; the sink adds "event": name.
    virtual void emit(std::string_view name, nlohmann::json fields) = 0;
};

// Discards everything (library callers that do not listen).
class NullSink final : public EventSink {
public:
    void emit(std::string_view, nlohmann::json) override {}
};

}  // namespace deskext
