// Which kind of program a file is, from its first bytes: each format's detector in turn, then
// scripts (a "#!" line, or a Windows script extension), else unknown.

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "binfmt/formats.hpp"
#include "deskext/binfmt/binary_format.hpp"

namespace deskext::binfmt {
namespace {

constexpr std::size_t max_shown_interpreter = 80;

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    std::ranges::transform(out, out.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return out;
}

// The interpreter line of a shebang script, printable characters only, cut short.
std::string interpreter_line(std::span<const std::byte> head) {
    std::string line;
    for (std::size_t i = 0; i < head.size() && line.size() < max_shown_interpreter; ++i) {
        const auto c = std::to_integer<unsigned char>(head[i]);
        if (c == '\n' || c == '\r') break;
        line += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?';
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
}

// Windows runs these through cmd.exe or PowerShell, whatever their content.
bool is_windows_script_name(std::string_view file_name) {
    const auto slash = file_name.find_last_of("/\\");
    const std::string name =
        ascii_lower(slash == std::string_view::npos ? file_name : file_name.substr(slash + 1));
    return name.ends_with(".cmd") || name.ends_with(".bat") || name.ends_with(".ps1");
}

}  // namespace

BinaryFormat detect_format(std::span<const std::byte> head, std::string_view file_name) {
    const detail::ByteView bytes(head);
    for (auto* detector : {&detail::detect_elf, &detail::detect_macho, &detail::detect_pe}) {
        if (auto format = detector(bytes)) return std::move(*format);
    }
    BinaryFormat format;
    if (bytes.be(0, 2) == 0x2321u) {  // "#!"
        format.kind = Kind::script;
        format.description = fmt::format("script ({})", interpreter_line(head));
        return format;
    }
    if (is_windows_script_name(file_name)) {
        format.kind = Kind::script;
        format.description = "script (Windows command or PowerShell file)";
        return format;
    }
    format.description = head.empty() ? "unknown (empty file)" : "unknown";
    return format;
}

BinaryFormat detect_format(std::string_view head, std::string_view file_name) {
    return detect_format(std::as_bytes(std::span(head.data(), head.size())), file_name);
}

std::string_view kind_name(Kind kind) {
    switch (kind) {
        case Kind::elf:
            return "elf";
        case Kind::macho:
            return "macho";
        case Kind::macho_universal:
            return "macho-universal";
        case Kind::pe:
            return "pe";
        case Kind::script:
            return "script";
        case Kind::unknown:
            break;
    }
    return "unknown";
}

std::string found_platform(const BinaryFormat& format) {
    if (format.kind == Kind::script || format.kind == Kind::unknown)
        return std::string(kind_name(format.kind));
    return fmt::format("{}/{}", format.os, fmt::join(format.archs, "+"));
}

}  // namespace deskext::binfmt
