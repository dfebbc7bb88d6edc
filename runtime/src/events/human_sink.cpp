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

std::string str(const nlohmann::json& fields, const char* key) {
    auto it = fields.find(key);
    if (it == fields.end()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

void HumanSink::progress(const nlohmann::json& fields) {
    auto bytes = fields.value("bytes", std::int64_t{0});
    auto total = fields.value("total", std::int64_t{0});
    auto layer = fields.value("layer", std::size_t{0});
    auto phase = fields.value("phase", std::string());
    bool done = bytes >= total;
    if (m_terminal) {
        constexpr int width = 30;
        double fraction = total > 0 ? static_cast<double>(bytes) / static_cast<double>(total) : 1.0;
        int filled = static_cast<int>(fraction * width);
        fmt::print(m_out, "\r{} layer {:>2} [{}{}] {:>9} / {:<9}", phase, layer + 1,
                   std::string(static_cast<std::size_t>(filled), '#'),
                   std::string(static_cast<std::size_t>(width - filled), ' '),
                   human_bytes(static_cast<double>(bytes)),
                   human_bytes(static_cast<double>(total)));
        m_bar_open = !done;
        if (done) fmt::print(m_out, "\n");
    } else if (done) {
        fmt::print(m_out, "{} layer {} done ({})\n", phase, layer + 1,
                   human_bytes(static_cast<double>(total)));
    }
    std::fflush(m_out);
}

void HumanSink::emit(std::string_view name, nlohmann::json fields) {
    if (name == "progress") return progress(fields);
    if (m_bar_open) {
        fmt::print(m_out, "\n");
        m_bar_open = false;
    }
    if (name == "started") {
        if (fields.contains("source"))
            fmt::print(m_out, "{} {} for {}\n", str(fields, "command"), str(fields, "source"),
                       str(fields, "platform"));
        else
            fmt::print(m_out, "{} {}\n", str(fields, "command"), str(fields, "name"));
    } else if (name == "resolved") {
        fmt::print(m_out, "resolved {} {} ({})\n", str(fields, "name"),
                   str(fields, "image_platform"), str(fields, "manifest_digest"));
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
