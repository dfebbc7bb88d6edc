#include "deskext/events/sinks.hpp"

namespace deskext {

std::string format_event_line(std::string_view name, const nlohmann::json& fields) {
    std::string line = R"({"event":)" + nlohmann::json(name).dump();
    if (fields.is_object() && !fields.empty()) {
        // Invalid UTF-8 from an image (a file name) is replaced, never allowed to throw.
        std::string rest = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
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
