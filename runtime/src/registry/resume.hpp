#pragma once
// Resume of a partial body: a resumable request (a blob) cut after some of its body arrived asks
// for the rest with Range: bytes=N-, and the answer must start where the sink stopped.

#include <cstdint>
#include <string>

#include "deskext/error.hpp"

namespace deskext::registry {

class BodySink;

class Resume {
public:
    Resume(bool resumable, BodySink* sink) : m_resumable(resumable), m_sink(sink) {}

    // At the start of an attempt: the Range header line it sends, or "" for the whole body.
    [[nodiscard]] std::string start_attempt();

    // At the end of a 2xx header block, with its status and Content-Range: whether the body
    // may go to the sink. Not when a resumed answer starts elsewhere (wrong_offset() then) or
    // the sink could not start over (the error).
    [[nodiscard]] Result<bool> begin_body(long status, const std::string& content_range);

    void received(std::size_t bytes) { m_received += static_cast<std::int64_t>(bytes); }

    // Whether the server resumed at another offset than asked; the next attempt then asks for
    // the whole body.
    [[nodiscard]] bool wrong_offset() const { return m_wrong_offset; }
    void ask_for_whole_body() { m_whole_next = true; }

    // Whether an attempt cut after body bytes arrived continues at once, without counting as a
    // failed attempt (at most 10 times a request).
    [[nodiscard]] bool continue_after_cut();

private:
    bool m_resumable;
    BodySink* m_sink;
    std::int64_t m_range_start = 0;
    std::int64_t m_received = 0;  // of this attempt
    bool m_wrong_offset = false;
    bool m_whole_next = false;
    int m_resumes = 0;
};

}  // namespace deskext::registry
