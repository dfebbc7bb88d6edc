#include "output.hpp"

#include <cstdio>

#include "deskext/events/sinks.hpp"
#include "deskext/platform/terminal.hpp"

namespace deskext::cli {

Output::Output(bool json) : m_json(json) {
    if (json)
        m_events = std::make_unique<JsonLinesSink>(stdout);
    else
        m_events = std::make_unique<HumanSink>(stderr, platform::stderr_is_terminal(),
                                               platform::stderr_terminal_columns);
}

void Output::summary(const std::string& text) {
    if (m_json) return;
    std::fputs(text.c_str(), stdout);
    std::fflush(stdout);
}

int Output::finish(const Result<nlohmann::json>& result) {
    if (result) {
        nlohmann::json fields = {{"ok", true}};
        if (result->is_object()) fields.update(*result);
        if (m_json) m_events->emit("result", std::move(fields));
        return 0;
    }
    const Error& error = result.error();
    m_events->emit("error", {{"ok", false},
                             {"code", code_name(error.code)},
                             {"exit", exit_code(error.code)},
                             {"message", error.message}});
    return exit_code(error.code);
}

}  // namespace deskext::cli
