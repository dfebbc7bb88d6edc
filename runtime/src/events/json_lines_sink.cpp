#include "deskext/events/sinks.hpp"

namespace deskext {

std::string format_event_line(std::string_view name, const nlohmann::json& fields) {
    // Invalid UTF-8 (a file name from an image) is replaced, never allowed to throw.
    constexpr auto replace = nlohmann::json::error_handler_t::replace;
    std::string line = R"({"event":)" + nlohmann::json(name).dump(-1, ' ', false, replace);
    if (fields.is_object() && !fields.empty()) {
        std::string rest = fields.dump(-1, ' ', false, replace);
        line += ',';
        line.append(rest, 1, std::string::npos);  // drop the object's opening brace
    } else {
        line += '}';
    }
    return line;
}

void JsonLinesSink::emit(std::string_view name, nlohmann::json fields) {
    auto line = format_event_line(name, fields);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), m_out);
    std::fflush(m_out);
}

}  // namespace deskext
