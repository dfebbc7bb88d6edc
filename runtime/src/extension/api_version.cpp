// Semantic-versioning constraints as Docker Desktop reads com.docker.desktop.extension.api.version
// (https://docs.docker.com/extensions/extensions-sdk/extensions/labels/): comparators joined by
// "," (all must hold) and "||" (either group), a bare version meaning exactly that version.

#include "deskext/extension/api_version.hpp"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "extension/display.hpp"

namespace deskext::extension {
namespace {

std::unexpected<Error> malformed(std::string_view text, std::string_view why) {
    return fail(ErrorCode::invalid_extension,
                fmt::format("{} {} is not a valid version constraint: {}", api_version_label,
                            detail::quoted(text), why));
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

// Reads an operator at the start of `text`, if any, and removes it.
VersionConstraint::Op take_operator(std::string_view& text) {
    using Op = VersionConstraint::Op;
    static constexpr std::pair<std::string_view, Op> operators[] = {{">=", Op::ge}, {"<=", Op::le},
                                                                    {"==", Op::eq}, {">", Op::gt},
                                                                    {"<", Op::lt},  {"=", Op::eq}};
    for (const auto& [token, op] : operators) {
        if (text.starts_with(token)) {
            text.remove_prefix(token.size());
            return op;
        }
    }
    return Op::eq;
}

Result<std::vector<VersionConstraint::Comparator>> parse_group(std::string_view group,
                                                               std::string_view whole) {
    std::vector<VersionConstraint::Comparator> comparators;
    std::string_view rest = group;
    while (true) {
        while (!rest.empty() && (is_space(rest.front()) || rest.front() == ','))
            rest.remove_prefix(1);
        if (rest.empty()) break;
        VersionConstraint::Comparator comparator;
        comparator.op = take_operator(rest);
        while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
        std::size_t end = 0;
        while (end < rest.size() && !is_space(rest[end]) && rest[end] != ',') ++end;
        if (end == 0) return malformed(whole, "an operator is not followed by a version");
        auto version = parse_semver(rest.substr(0, end));
        if (!version) return malformed(whole, version.error().message);
        comparator.version = *version;
        comparators.push_back(comparator);
        rest.remove_prefix(end);
    }
    if (comparators.empty()) return malformed(whole, "no version in it");
    return comparators;
}

bool holds(const VersionConstraint::Comparator& c, const SemVer& v) {
    switch (c.op) {
        case VersionConstraint::Op::eq:
            return v == c.version;
        case VersionConstraint::Op::gt:
            return v > c.version;
        case VersionConstraint::Op::ge:
            return v >= c.version;
        case VersionConstraint::Op::lt:
            return v < c.version;
        case VersionConstraint::Op::le:
            return v <= c.version;
    }
    return false;
}

}  // namespace

Result<SemVer> parse_semver(std::string_view text) {
    const std::string shown = detail::quoted(text);
    std::string_view rest = text;
    if (rest.starts_with('v') || rest.starts_with('V')) rest.remove_prefix(1);
    unsigned parts[3] = {0, 0, 0};
    std::size_t count = 0;
    while (true) {
        if (count == 3)
            return fail(ErrorCode::invalid_extension,
                        fmt::format("{} has more than three numbers", shown));
        if (rest.empty() || std::isdigit(static_cast<unsigned char>(rest.front())) == 0)
            return fail(ErrorCode::invalid_extension,
                        fmt::format("{} is not a version (MAJOR.MINOR[.PATCH])", shown));
        const auto [end, ec] =
            std::from_chars(rest.data(), rest.data() + rest.size(), parts[count]);
        if (ec != std::errc())
            return fail(ErrorCode::invalid_extension, fmt::format("{}: number too large", shown));
        ++count;
        rest.remove_prefix(static_cast<std::size_t>(end - rest.data()));
        if (rest.empty()) break;
        if (rest.front() == '-' || rest.front() == '+')
            return fail(ErrorCode::invalid_extension,
                        fmt::format("{}: pre-release and build suffixes are not supported", shown));
        if (rest.front() != '.')
            return fail(ErrorCode::invalid_extension,
                        fmt::format("{} is not a version (MAJOR.MINOR[.PATCH])", shown));
        rest.remove_prefix(1);
    }
    if (count < 2)
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} is not a version (MAJOR.MINOR[.PATCH])", shown));
    return SemVer{parts[0], parts[1], parts[2]};
}

std::string to_string(const SemVer& version) {
    return fmt::format("{}.{}.{}", version.major, version.minor, version.patch);
}

bool VersionConstraint::allows(const SemVer& version) const {
    for (const auto& group : alternatives) {
        bool all = true;
        for (const auto& comparator : group) all = all && holds(comparator, version);
        if (all) return true;
    }
    return false;
}

Result<VersionConstraint> parse_version_constraint(std::string_view text) {
    if (trim(text).empty()) return malformed(text, "it is empty");
    VersionConstraint constraint;
    std::string_view rest = text;
    while (true) {
        const auto bar = rest.find("||");
        DESKEXT_TRY_ASSIGN(auto group, parse_group(rest.substr(0, bar), text));
        constraint.alternatives.push_back(std::move(group));
        if (bar == std::string_view::npos) break;
        rest.remove_prefix(bar + 2);
    }
    return constraint;
}

Result<void> check_api_version(const std::map<std::string, std::string>& labels,
                               std::string_view runtime_version, EventSink& events) {
    const auto label = labels.find(std::string(api_version_label));
    if (label == labels.end()) {
        events.emit("warning",
                    {{"message", fmt::format("the image has no {} label (Docker requires it): "
                                             "its compatibility with extension API {} is unknown",
                                             api_version_label, runtime_version)}});
        return {};
    }
    DESKEXT_TRY_ASSIGN(const auto constraint, parse_version_constraint(label->second));
    DESKEXT_TRY_ASSIGN(const auto runtime, parse_semver(runtime_version));
    if (!constraint.allows(runtime))
        return fail(ErrorCode::incompatible_api,
                    fmt::format("the extension requires extension API {} ({}); this deskext "
                                "implements extension API {}",
                                detail::quoted(label->second), api_version_label, runtime_version));
    return {};
}

}  // namespace deskext::extension
