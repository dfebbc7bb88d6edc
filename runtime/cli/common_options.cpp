#include "common_options.hpp"

#include <array>
#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "deskext/platform/paths.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::cli {

Result<std::filesystem::path> root_option(const Args& args) {
    const auto root = args.value("root");
    return platform::extensions_root(root ? platform::path_from_utf8(*root)
                                          : std::filesystem::path());
}

namespace {

Result<platform::Platform> parse_host_platform(const std::string& text) {
    DESKEXT_TRY_ASSIGN(auto parsed, platform::parse_platform(text));
    if (parsed.os != "darwin" && parsed.os != "windows" && parsed.os != "linux")
        return fail(
            ErrorCode::usage,
            fmt::format("--platform {}: Docker Desktop hosts are darwin, windows or linux", text));
    return parsed;
}

}  // namespace

Result<platform::Platform> platform_option(const Args& args) {
    auto text = args.value("platform");
    if (!text) return platform::detect_host();
    return parse_host_platform(*text);
}

Result<std::vector<platform::Platform>> platforms_option(const Args& args) {
    std::vector<platform::Platform> hosts;
    for (const auto& text : args.values("platform")) {
        DESKEXT_TRY_ASSIGN(auto host, parse_host_platform(text));
        hosts.push_back(std::move(host));
    }
    return hosts;
}

Result<SourceOptions> source_options(const Args& args) {
    SourceOptions options;
    options.insecure_registries = args.values("insecure-registry");
    if (const auto file = args.value("registries-conf"))
        options.registries_conf = platform::path_from_utf8(*file);
    if (const auto text = args.value("timeout")) {
        long seconds = 0;
        const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), seconds);
        if (ec != std::errc() || end != text->data() + text->size() || seconds < 1 ||
            seconds > 86400)
            return fail(ErrorCode::usage,
                        fmt::format("--timeout {}: expected a whole number of seconds from 1 to "
                                    "86400",
                                    *text));
        options.request_timeout = std::chrono::seconds(seconds);
    }
    return options;
}

// "--max-uncompressed-size 80G", "--max-entries 2M", DESKEXT_CACHE_MAX=2G: a count with an
// optional binary suffix (K, M, G, T). `what` names the option or variable in the message.
Result<std::int64_t> parse_size(std::string_view what, const std::string& text) {
    constexpr std::array<std::pair<std::string_view, int>, 5> suffixes{
        {{"", 0}, {"K", 10}, {"M", 20}, {"G", 30}, {"T", 40}}};
    const std::size_t digits = text.find_first_not_of("0123456789");
    const std::string_view number = std::string_view(text).substr(0, digits);
    const std::string_view suffix =
        digits == std::string::npos ? std::string_view{} : std::string_view(text).substr(digits);
    std::int64_t value = -1;
    for (const auto& [name, shift] : suffixes) {
        if (suffix != name || number.empty() || number.size() > 18) continue;
        const std::int64_t n = std::stoll(std::string(number));
        if (n <= (std::numeric_limits<std::int64_t>::max() >> shift)) value = n << shift;
    }
    if (value < 0)
        return fail(ErrorCode::usage,
                    fmt::format("{} {}: expected a number, optionally followed by K, M, G or T "
                                "(binary multiples)",
                                what, text));
    return value;
}

Result<platform::LockWait> wait_option(const Args& args) {
    if (!args.has("wait")) return platform::no_wait;
    const auto text = args.values("wait").back();
    if (text.empty()) return platform::LockWait{};  // forever
    double seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec != std::errc() || end != text.data() + text.size() || !(seconds >= 0) || seconds > 1e7)
        return fail(ErrorCode::usage,
                    fmt::format("--wait={}: expected a number of seconds (or --wait alone to "
                                "wait as long as it takes)",
                                text));
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

}  // namespace deskext::cli
