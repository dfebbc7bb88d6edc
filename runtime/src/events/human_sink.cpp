#include <algorithm>

#include <fmt/format.h>

#include "deskext/events/sinks.hpp"

namespace deskext {
namespace {

std::string human_bytes(double bytes) {
    const char* units[] = {"B", "KB", "MB", "GB", "TB"};
    int unit = 0;
    while (bytes >= 1000.0 && unit < 4) {
        bytes /= 1000.0;
        ++unit;
    }
    return unit == 0 ? fmt::format("{:.0f} {}", bytes, units[unit])
                     : fmt::format("{:.1f} {}", bytes, units[unit]);
}

// Bytes per second over `elapsed`; "-" before any time has passed.
std::string human_rate(std::int64_t bytes, std::chrono::steady_clock::duration elapsed) {
    const double seconds = std::chrono::duration<double>(elapsed).count();
    if (seconds <= 0) return "- B/s";
    return human_bytes(static_cast<double>(bytes) / seconds) + "/s";
}

// A field that is not a string, as JSON: invalid UTF-8 inside it is replaced, never thrown on.
std::string shown(const nlohmann::json& value) {
    return value.is_string() ? value.get<std::string>()
                             : value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string str(const nlohmann::json& fields, const char* key) {
    auto it = fields.find(key);
    if (it == fields.end()) return {};
    return shown(*it);
}

std::string joined(const nlohmann::json& fields, const char* key) {
    std::string out;
    auto it = fields.find(key);
    if (it == fields.end() || !it->is_array()) return out;
    for (const auto& item : *it) out += (out.empty() ? "" : ", ") + shown(item);
    return out;
}

// Cursor up N lines; erase the whole line (ECMA-48 CUU and EL, which every terminal deskext
// runs in understands, Windows 10+ consoles included).
std::string cursor_up(std::size_t lines) { return fmt::format("\x1b[{}A", lines); }
constexpr std::string_view erase_line = "\x1b[2K";

}  // namespace

// One bar's line, at most `columns` - 1 characters (the last column would wrap on some
// terminals): the gauge narrows to fit, then is left out, then the line is cut.
std::string HumanSink::bar_line(const std::string& phase, std::size_t layer, const Bar& bar,
                                std::size_t columns) {
    constexpr std::size_t widest = 20;    // the gauge's width when there is room
    constexpr std::size_t narrowest = 5;  // below that, no gauge
    const auto head = fmt::format("{} layer {:>2}", phase, layer + 1);
    const auto tail = fmt::format(
        "{:>8} / {:<8} {:>10}", human_bytes(static_cast<double>(bar.bytes)),
        human_bytes(static_cast<double>(bar.total)), human_rate(bar.bytes, bar.elapsed));
    const std::size_t room = columns > 0 ? columns - 1 : 0;
    const std::size_t around = head.size() + tail.size() + 4;  // " [" and "] "
    std::string line = head;
    if (room >= around + narrowest) {
        const std::size_t width = std::min(widest, room - around);
        const double fraction =
            bar.total > 0 ? static_cast<double>(bar.bytes) / static_cast<double>(bar.total) : 1.0;
        const auto filled = static_cast<std::size_t>(
            std::clamp(fraction * static_cast<double>(width), 0.0, static_cast<double>(width)));
        line += " [" + std::string(filled, '#') + std::string(width - filled, ' ') + "] ";
    } else {
        line += ' ';
    }
    line += tail;
    if (line.size() > room) line.resize(room);
    return line;
}

void HumanSink::redraw() {
    constexpr std::size_t unknown_width = 80;
    std::size_t columns = m_columns ? m_columns() : 0;
    if (columns == 0) columns = unknown_width;
    std::string text;
    if (m_lines_drawn > 0) {
        // The cursor goes up in a write of its own: Wine's console (deskext.exe under Wine) loses
        // a '\r' that follows a cursor movement in the same write, and the bars then pile up.
        std::fputs(cursor_up(m_lines_drawn).c_str(), m_out);
        std::fflush(m_out);
    }
    for (const auto& [key, bar] : m_bars) {
        text += '\r';
        text += erase_line;
        text += bar_line(key.first, key.second, bar, columns);
        text += '\n';
    }
    m_lines_drawn = m_bars.size();
    std::fputs(text.c_str(), m_out);
}

void HumanSink::progress(const nlohmann::json& fields) {
    const auto now = std::chrono::steady_clock::now();
    const auto layer = fields.value("layer", std::size_t{0});
    const auto phase = fields.value("phase", std::string());
    auto [it, fresh] = m_bars.try_emplace({phase, layer});
    auto& bar = it->second;
    if (fresh) bar.started = m_last_event;
    m_last_event = now;
    bar.bytes = fields.value("bytes", std::int64_t{0});
    bar.total = fields.value("total", std::int64_t{0});
    bar.elapsed = now - bar.started;
    if (m_terminal) {
        redraw();
    } else if (bar.bytes >= bar.total) {
        fmt::print(m_out, "{} layer {} done ({}, {})\n", phase, layer + 1,
                   human_bytes(static_cast<double>(bar.total)), human_rate(bar.bytes, bar.elapsed));
    }
    std::fflush(m_out);
}

void HumanSink::emit(std::string_view name, nlohmann::json fields) {
    if (name == "progress") return progress(fields);
    m_last_event = std::chrono::steady_clock::now();
    // The bars drawn so far stay on screen, finished; the next progress starts new ones.
    m_bars.clear();
    m_lines_drawn = 0;
    if (name == "started") {
        if (fields.contains("output"))
            fmt::print(m_out, "{} {} to {}\n", str(fields, "command"), joined(fields, "sources"),
                       str(fields, "output"));
        else if (fields.contains("source"))
            fmt::print(m_out, "{} {} for {}\n", str(fields, "command"), str(fields, "source"),
                       str(fields, "platform"));
        else
            fmt::print(m_out, "{} {}\n", str(fields, "command"), str(fields, "name"));
    } else if (name == "resolved") {
        fmt::print(m_out, "resolved {} {} ({})\n", str(fields, "name"),
                   str(fields, "image_platform"), str(fields, "manifest_digest"));
    } else if (name == "exported") {
        fmt::print(m_out, "exported {} ({}) {}\n", str(fields, "ref_name"),
                   joined(fields, "platforms"), str(fields, "digest"));
    } else if (name == "cleanup") {
        fmt::print(m_out, "{}\n", str(fields, "message"));
    } else if (name == "warning") {
        fmt::print(m_out, "warning: {}\n", str(fields, "message"));
    } else if (name == "error") {
        fmt::print(m_out, "error: {}\n", str(fields, "message"));
    }
    // installed / removed / result are summarised on stdout by the command itself.
    std::fflush(m_out);
}

}  // namespace deskext
