// validate's label checks: the image labels Docker's marketplace reads.
// https://docs.docker.com/extensions/extensions-sdk/extensions/labels/

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "deskext/extension/api_version.hpp"
#include "deskext/qa/validate.hpp"
#include "extension/display.hpp"

namespace deskext::qa {
namespace {

namespace display = extension::detail;

struct RequiredLabel {
    std::string_view name;
    std::string_view what;  // for the fix
};

constexpr RequiredLabel required_labels[] = {
    {"org.opencontainers.image.title", "the title shown in Docker Desktop"},
    {"org.opencontainers.image.description", "a one-line description"},
    {"org.opencontainers.image.vendor", "the publisher's name"},
    {"com.docker.desktop.extension.api.version", "the extension API it needs, e.g. \">= 0.3.0\""},
    {"com.docker.desktop.extension.icon", "the URL of the icon (.svg, .png or .jpg)"},
    {"com.docker.extension.screenshots", "a JSON array of {\"alt\", \"url\"} objects"},
    {"com.docker.extension.detailed-description", "a description in text or HTML"},
    {"com.docker.extension.publisher-url", "the publisher's website"},
    {"com.docker.extension.changelog", "the changes of this version, in text or HTML"},
};

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0)
        text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0)
        text.remove_suffix(1);
    return text;
}

// Why `text` is not a JSON array of objects with non-empty string `a` and `b`, or "".
std::string array_problem(std::string_view text, std::string_view a, std::string_view b) {
    nlohmann::json value;
    try {
        value = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception&) {
        return "it is not valid JSON";
    }
    if (!value.is_array()) return fmt::format("it is {}, not an array", value.type_name());
    std::size_t index = 0;
    for (const auto& item : value) {
        for (auto key : {a, b}) {
            const auto field = item.is_object() ? item.find(std::string(key)) : item.end();
            if (!item.is_object() || field == item.end() || !field->is_string() ||
                trim(field->get<std::string>()).empty())
                return fmt::format("element {} has no non-empty string \"{}\"", index, key);
        }
        ++index;
    }
    return {};
}

Finding label_error(std::string code, std::string message, std::string fix) {
    return {Severity::error, std::move(code), std::move(message), std::move(fix), {}};
}
Finding label_warning(std::string code, std::string message, std::string fix) {
    return {Severity::warning, std::move(code), std::move(message), std::move(fix), {}};
}

}  // namespace

const std::vector<std::string_view>& known_categories() {
    static const std::vector<std::string_view> categories = {"ci-cd",
                                                             "container-orchestration",
                                                             "cloud-deployment",
                                                             "cloud-development",
                                                             "database",
                                                             "kubernetes",
                                                             "networking",
                                                             "image-registry",
                                                             "security",
                                                             "testing-tools",
                                                             "utility-tools",
                                                             "volumes"};
    return categories;
}

namespace {

using Labels = std::map<std::string, std::string>;

// A label's value, trimmed; none when it is missing or blank.
std::optional<std::string_view> value_of(const Labels& labels, std::string_view name) {
    auto it = labels.find(std::string(name));
    if (it == labels.end() || trim(it->second).empty()) return std::nullopt;
    return trim(it->second);
}

void check_required(const Labels& labels, std::vector<Finding>& findings) {
    for (const auto& label : required_labels) {
        const auto it = labels.find(std::string(label.name));
        if (it != labels.end() && !trim(it->second).empty()) continue;
        findings.push_back(label_error(
            "missing_label",
            fmt::format("label {} is {}: Docker Desktop considers the extension invalid and does "
                        "not list it in the Marketplace",
                        label.name, it == labels.end() ? "missing" : "empty"),
            fmt::format("add LABEL {}=... to the Dockerfile: {}", label.name, label.what)));
    }
}

void check_api_version(const Labels& labels, std::string_view runtime_api_version,
                       std::vector<Finding>& findings) {
    auto api = value_of(labels, extension::api_version_label);
    if (!api) return;
    auto constraint = extension::parse_version_constraint(*api);
    auto runtime = extension::parse_semver(runtime_api_version);
    if (!constraint) {
        findings.push_back(label_error("invalid_api_version", constraint.error().message,
                                       "write a version (\"0.3.4\") or a constraint "
                                       "(\">= 0.3.0\", \">= 1.4.7, < 2.0\")"));
    } else if (runtime && !constraint->allows(*runtime)) {
        findings.push_back(label_error(
            "incompatible_api",
            fmt::format("{} {} is not satisfied by extension API {}, which this deskext "
                        "implements: install refuses the image (exit 9)",
                        extension::api_version_label, display::quoted(*api),
                        runtime_api_version),
            fmt::format("require the lowest API version the extension needs (e.g. \">= "
                        "{}\")",
                        runtime_api_version)));
    }
}

// The labels that hold a JSON array of two-field objects.
struct ArrayLabel {
    std::string_view name;
    std::string_view a, b;  // the fields each object needs
    std::string_view code;
    std::string_view example;
};

constexpr ArrayLabel array_labels[] = {
    {"com.docker.extension.screenshots", "alt", "url", "invalid_screenshots",
     R"([{"alt":"...","url":"https://..."}, ...])"},
    {"com.docker.extension.additional-urls", "title", "url", "invalid_additional_urls",
     R"([{"title":"Documentation","url":"https://..."}, ...])"},
};

void check_json_arrays(const Labels& labels, std::vector<Finding>& findings) {
    for (const auto& label : array_labels) {
        const auto value = value_of(labels, label.name);
        if (!value) continue;
        const std::string problem = array_problem(*value, label.a, label.b);
        if (problem.empty()) continue;
        findings.push_back(label_error(
            std::string(label.code),
            fmt::format("label {} is not a JSON array of {{\"{}\", \"{}\"}} objects: {}",
                        label.name, label.a, label.b, problem),
            fmt::format("write it as {}", label.example)));
    }
}

void check_categories(std::string_view categories, std::vector<Finding>& findings) {
    std::string_view rest = categories;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const auto category = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        if (category.empty()) continue;
        const auto& known = known_categories();
        if (std::find(known.begin(), known.end(), category) != known.end()) continue;
        findings.push_back(label_warning(
            "unknown_category",
            fmt::format("label com.docker.extension.categories: {} is not a Marketplace "
                        "category; the extension cannot be found under it",
                        display::quoted(category)),
            fmt::format("use categories from Docker's list: {}", fmt::join(known, ", "))));
    }
}

// The labels that are optional but read in one form only.
void check_optional(const Labels& labels, std::vector<Finding>& findings) {
    if (auto url = value_of(labels, "com.docker.extension.publisher-url");
        url && !url->starts_with("https://") && !url->starts_with("http://")) {
        findings.push_back(label_warning(
            "invalid_url",
            fmt::format("label com.docker.extension.publisher-url {} is not an http(s) URL",
                        display::quoted(*url)),
            "give the publisher's website as https://..."));
    }
    if (auto categories = value_of(labels, "com.docker.extension.categories"))
        check_categories(*categories, findings);
    if (auto account = value_of(labels, "com.docker.extension.account-info");
        account && *account != "required") {
        findings.push_back(label_warning(
            "invalid_account_info",
            fmt::format("label com.docker.extension.account-info is {}; Docker reads only "
                        "\"required\"",
                        display::quoted(*account)),
            "set it to \"required\" when users must register, or leave it out"));
    }
}

}  // namespace

std::vector<Finding> check_labels(const std::map<std::string, std::string>& labels,
                                  std::string_view runtime_api_version) {
    std::vector<Finding> findings;
    check_required(labels, findings);
    check_api_version(labels, runtime_api_version, findings);
    check_json_arrays(labels, findings);
    check_optional(labels, findings);
    return findings;
}

}  // namespace deskext::qa
