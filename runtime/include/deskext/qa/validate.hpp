#pragma once
// validate: checks an extension image the way its publisher needs before pushing it, and reports
// every finding rather than the first (docs/cli.md, "validate"): metadata.json against Docker's
// schema, the labels Docker's marketplace requires, both linux/amd64 and linux/arm64 variants,
// every declared path in every variant, and the host binaries' headers per host platform.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "deskext/error.hpp"
#include "deskext/limits.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext::qa {

enum class Severity { error, warning };

[[nodiscard]] std::string_view severity_name(Severity severity);  // "error", "warning"

struct Finding {
    Severity severity = Severity::error;
    std::string code;     // stable, machine-readable: "unknown_key", "missing_label", ...
    std::string message;  // what is wrong, naming the key, label, path or file
    std::string fix;      // what to change
    // The image variants ("linux/arm64") or host platforms ("darwin/arm64") concerned; empty
    // when the finding is about the image as a whole.
    std::vector<std::string> platforms;

    friend bool operator==(const Finding&, const Finding&) = default;
};

// metadata.json alone: every unknown key, wrong type, missing field and unsafe path (Docker's
// validator refuses them), and the defects visible without the image: a binary declared for one
// OS inside another OS's folder, architectures hard-coded in the paths of one OS, host binaries
// for some OSes only, entries already covered by a declared directory.
[[nodiscard]] std::vector<Finding> check_metadata(std::string_view text, const Limits& limits = {});

// The image labels Docker's documentation requires or defines
// (https://docs.docker.com/extensions/extensions-sdk/extensions/labels/), and the api.version
// constraint against `runtime_api_version`.
[[nodiscard]] std::vector<Finding> check_labels(const std::map<std::string, std::string>& labels,
                                                std::string_view runtime_api_version);

// The marketplace categories Docker documents for com.docker.extension.categories.
[[nodiscard]] const std::vector<std::string_view>& known_categories();

struct Validation {
    std::string source;
    std::vector<Finding> findings;  // errors first, then warnings, each in the order found
    [[nodiscard]] std::size_t errors() const;
    [[nodiscard]] std::size_t warnings() const;
};

// Everything above on the image. Failures of the source itself (not found, network, integrity,
// I/O) fail the call; everything about the extension is a finding.
[[nodiscard]] Result<Validation> validate_image(ImageSource& source, const Limits& limits);

// The fields of a "finding" event (docs/events.md).
[[nodiscard]] nlohmann::json to_json(const Finding& finding);
// The findings for people.
[[nodiscard]] std::string format_findings(const Validation& validation);

}  // namespace deskext::qa
