#pragma once
// The extension API version an image asks for: its com.docker.desktop.extension.api.version
// label, a semantic-versioning constraint (">= 0.2.3", ">=0.3.0", ">= 1.4.7, < 2.0", or a bare
// version meaning exactly that one), checked against the API version this runtime implements
// (build_info::extension_api_version).
// https://docs.docker.com/extensions/extensions-sdk/extensions/labels/

#include <compare>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/error.hpp"
#include "deskext/events/event_sink.hpp"

namespace deskext::extension {

inline constexpr std::string_view api_version_label = "com.docker.desktop.extension.api.version";

// MAJOR.MINOR[.PATCH] (https://semver.org/); a missing patch is 0. A leading "v" is accepted;
// pre-release and build suffixes are refused.
struct SemVer {
    unsigned major = 0;
    unsigned minor = 0;
    unsigned patch = 0;
    friend auto operator<=>(const SemVer&, const SemVer&) = default;
};

[[nodiscard]] Result<SemVer> parse_semver(std::string_view text);
[[nodiscard]] std::string to_string(const SemVer& version);

struct VersionConstraint {
    enum class Op { eq, gt, ge, lt, le };
    struct Comparator {
        Op op = Op::eq;
        SemVer version;
    };
    // Alternatives separated by "||", each a list of comparators that must all hold (separated
    // by "," or spaces).
    std::vector<std::vector<Comparator>> alternatives;

    [[nodiscard]] bool allows(const SemVer& version) const;
};

// Operators: >=, >, <=, <, = (also ==); a version without one means "= version".
// ErrorCode::invalid_extension naming the text and what is wrong in it.
[[nodiscard]] Result<VersionConstraint> parse_version_constraint(std::string_view text);

// The install-time check, made as soon as the image config is read: a missing label is a
// "warning" event (Docker requires it); a malformed one is ErrorCode::invalid_extension; one
// that `runtime_version` does not satisfy is ErrorCode::incompatible_api naming both versions.
[[nodiscard]] Result<void> check_api_version(const std::map<std::string, std::string>& labels,
                                             std::string_view runtime_version, EventSink& events);

}  // namespace deskext::extension
