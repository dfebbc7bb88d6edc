#pragma once
// Events: what deskext tells its caller while it works. The library emits them; the CLI chooses
// how they are shown (JSON lines for Docker Desktop, lines and progress for people).
// Every event type and its fields are documented in docs/events.md.

#include <mutex>
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

// Passes events on one at a time, whichever thread emits them (a download reports its progress
// from a thread of its own while the layers are read).
class SerializedSink final : public EventSink {
public:
    explicit SerializedSink(EventSink& inner) : m_inner(inner) {}
    void emit(std::string_view name, nlohmann::json fields) override {
        const std::lock_guard lock(m_mutex);
        m_inner.emit(name, std::move(fields));
    }

private:
    EventSink& m_inner;
    std::mutex m_mutex;
};

}  // namespace deskext
