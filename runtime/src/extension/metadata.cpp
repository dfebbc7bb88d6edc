// Parses metadata.json into the Metadata model.
// Schema: https://docs.docker.com/extensions/extensions-sdk/architecture/metadata/
//   { "icon": string, "ui": { "dashboard-tab": { "title", "src", "root", "backend": {"socket"} } },
//     "vm": { "image" | "composefile", "exposes": { "socket" } },
//     "host": { "binaries": [ { "darwin"|"windows"|"linux": [ { "path": string } ] } ] } }
// plus "name" and "provider", which Docker's own multi-arch example carries.
// Like Docker's validator, unknown keys and wrong types are refused, naming the key path, so a
// typo ("uii") is reported instead of silently installing an extension without its UI.

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "deskext/extension/metadata.hpp"
#include "extension/display.hpp"

namespace deskext::extension {

namespace {

using nlohmann::json;

constexpr std::string_view file_name = "metadata.json";

[[nodiscard]] std::unexpected<Error> invalid(std::string message) {
    return fail(ErrorCode::invalid_extension, fmt::format("{}: {}", file_name, message));
}

[[nodiscard]] std::string where(std::string_view path) {
    return path.empty() ? std::string("at the top level") : fmt::format("in {}", path);
}

[[nodiscard]] std::string join(std::string_view parent, std::string_view key) {
    return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

[[nodiscard]] std::string a_type(const json& value) {
    switch (value.type()) {
        case json::value_t::object:
            return "an object";
        case json::value_t::array:
            return "an array";
        case json::value_t::string:
            return "a string";
        case json::value_t::boolean:
            return "a boolean";
        case json::value_t::null:
            return "null";
        default:
            return "a number";
    }
}

[[nodiscard]] Result<void> expect(const json& value, json::value_t type, std::string_view path) {
    const bool ok = value.type() == type;
    if (ok) return {};
    const char* wanted = type == json::value_t::object  ? "an object"
                         : type == json::value_t::array ? "an array"
                                                        : "a string";
    return invalid(fmt::format("{}: expected {}, found {}", path, wanted, a_type(value)));
}

// Refuses any key of `object` outside `known`; `path` names the object ("" = top level).
[[nodiscard]] Result<void> only_known_keys(const json& object,
                                           std::initializer_list<std::string_view> known,
                                           std::string_view path) {
    for (const auto& [key, value] : object.items()) {
        bool found = false;
        for (const std::string_view k : known) found = found || key == k;
        if (!found) {
            return invalid(fmt::format("unknown key {} {}", detail::quoted(key), where(path)));
        }
    }
    return {};
}

[[nodiscard]] Result<std::string> get_string(const json& value, std::string_view path) {
    DESKEXT_TRY(expect(value, json::value_t::string, path));
    return value.get<std::string>();
}

[[nodiscard]] Result<std::string> get_image_path(const json& value, std::string_view path) {
    DESKEXT_TRY_ASSIGN(const std::string raw, get_string(value, path));
    auto normalised = normalize_image_path(raw, path);
    if (!normalised) return std::unexpected(std::move(normalised).error().context(file_name));
    return std::move(*normalised);
}

// An object holding only {"socket": string}, as ui.dashboard-tab.backend and vm.exposes are.
[[nodiscard]] Result<std::string> get_socket(const json& value, std::string_view path) {
    DESKEXT_TRY(expect(value, json::value_t::object, path));
    DESKEXT_TRY(only_known_keys(value, {"socket"}, path));
    const auto socket = value.find("socket");
    if (socket == value.end()) return invalid(fmt::format("{}: missing \"socket\"", path));
    return get_string(*socket, join(path, "socket"));
}

[[nodiscard]] Result<DashboardTab> parse_dashboard_tab(const json& value, std::string_view path) {
    DESKEXT_TRY(expect(value, json::value_t::object, path));
    DESKEXT_TRY(only_known_keys(value, {"title", "src", "root", "backend"}, path));
    for (const char* required : {"title", "src", "root"}) {
        if (!value.contains(required)) {
            return invalid(fmt::format("{}: missing \"{}\"", path, required));
        }
    }
    DashboardTab tab;
    DESKEXT_TRY_ASSIGN(tab.title, get_string(value["title"], join(path, "title")));
    DESKEXT_TRY_ASSIGN(tab.src, get_string(value["src"], join(path, "src")));
    DESKEXT_TRY_ASSIGN(tab.root, get_image_path(value["root"], join(path, "root")));
    if (const auto backend = value.find("backend"); backend != value.end()) {
        DESKEXT_TRY_ASSIGN(tab.backend_socket, get_socket(*backend, join(path, "backend")));
    }
    return tab;
}

[[nodiscard]] Result<std::optional<DashboardTab>> parse_ui(const json& value) {
    DESKEXT_TRY(expect(value, json::value_t::object, "ui"));
    // ui's keys name the places an extension can show a UI; Docker Desktop knows one.
    DESKEXT_TRY(only_known_keys(value, {"dashboard-tab"}, "ui"));
    const auto tab = value.find("dashboard-tab");
    if (tab == value.end()) return std::optional<DashboardTab>{};
    DESKEXT_TRY_ASSIGN(auto parsed, parse_dashboard_tab(*tab, "ui.dashboard-tab"));
    return std::optional<DashboardTab>(std::move(parsed));
}

[[nodiscard]] Result<Vm> parse_vm(const json& value) {
    DESKEXT_TRY(expect(value, json::value_t::object, "vm"));
    DESKEXT_TRY(only_known_keys(value, {"image", "composefile", "exposes"}, "vm"));
    Vm vm;
    if (const auto image = value.find("image"); image != value.end()) {
        DESKEXT_TRY_ASSIGN(vm.image, get_string(*image, "vm.image"));
    }
    if (const auto compose = value.find("composefile"); compose != value.end()) {
        DESKEXT_TRY_ASSIGN(vm.composefile, get_image_path(*compose, "vm.composefile"));
    }
    if (const auto exposes = value.find("exposes"); exposes != value.end()) {
        DESKEXT_TRY_ASSIGN(vm.exposes_socket, get_socket(*exposes, "vm.exposes"));
    }
    if (!vm.image && !vm.composefile) {
        return invalid("vm: needs \"image\" or \"composefile\"");
    }
    return vm;
}

[[nodiscard]] Result<void> parse_host(const json& value, Metadata& metadata) {
    DESKEXT_TRY(expect(value, json::value_t::object, "host"));
    DESKEXT_TRY(only_known_keys(value, {"binaries"}, "host"));
    const auto binaries = value.find("binaries");
    if (binaries == value.end()) return {};
    DESKEXT_TRY(expect(*binaries, json::value_t::array, "host.binaries"));
    std::size_t index = 0;
    for (const json& element : *binaries) {
        const std::string element_path = fmt::format("host.binaries[{}]", index++);
        DESKEXT_TRY(expect(element, json::value_t::object, element_path));
        DESKEXT_TRY(only_known_keys(element, {"darwin", "windows", "linux"}, element_path));
        for (const auto& [os, entries] : element.items()) {
            const std::string os_path = join(element_path, os);
            DESKEXT_TRY(expect(entries, json::value_t::array, os_path));
            std::vector<HostBinary>& list = metadata.host_binaries[os];
            std::size_t entry_index = 0;
            for (const json& entry : entries) {
                const std::string entry_path = fmt::format("{}[{}]", os_path, entry_index++);
                DESKEXT_TRY(expect(entry, json::value_t::object, entry_path));
                DESKEXT_TRY(only_known_keys(entry, {"path"}, entry_path));
                const auto path = entry.find("path");
                if (path == entry.end()) {
                    return invalid(fmt::format("{}: missing \"path\"", entry_path));
                }
                const std::string path_path = join(entry_path, "path");
                DESKEXT_TRY_ASSIGN(const std::string raw, get_string(*path, path_path));
                HostBinary binary;
                DESKEXT_TRY_ASSIGN(binary.path, get_image_path(*path, path_path));
                binary.directory = raw.ends_with('/');
                list.push_back(std::move(binary));
            }
        }
    }
    return {};
}

// Thrown from the parser callback on a duplicate key and caught in parse_metadata: nlohmann's
// callback has no other way to stop the parse.
struct DuplicateKey {
    std::string key;
};

[[nodiscard]] Result<json> parse_json(std::string_view text) {
    // One set of seen keys per open object. A key given twice would make the file mean what
    // the last reader decides; Docker keeps the last one, a person reading it may see the first.
    std::vector<std::set<std::string, std::less<>>> open_objects;
    const json::parser_callback_t on_event =
        [&open_objects](int /*depth*/, json::parse_event_t event, json& parsed) {
            if (event == json::parse_event_t::object_start) {
                open_objects.emplace_back();
            } else if (event == json::parse_event_t::object_end && !open_objects.empty()) {
                open_objects.pop_back();
            } else if (event == json::parse_event_t::key && !open_objects.empty() &&
                       !open_objects.back().insert(parsed.get<std::string>()).second) {
                throw DuplicateKey{parsed.get<std::string>()};
            }
            return true;
        };
    try {
        return json::parse(text.begin(), text.end(), on_event);
    } catch (const DuplicateKey& duplicate) {
        return invalid(
            fmt::format("key {} appears twice in one object", detail::quoted(duplicate.key)));
    } catch (const json::exception& e) {
        // what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: ...";
        // the bracketed id means nothing to a publisher.
        std::string_view reason = e.what();
        if (reason.starts_with('[')) {
            if (const auto close = reason.find("] "); close != std::string_view::npos) {
                reason.remove_prefix(close + 2);
            }
        }
        return invalid(fmt::format("not valid JSON: {}", reason));
    }
}

}  // namespace

Result<Metadata> parse_metadata(std::string_view text, const Limits& limits) {
    // The cap comes before the parser: a DOM of a hostile file can take many times its size.
    if (text.size() > limits.max_metadata_bytes) {
        return invalid(fmt::format("{} bytes, more than the limit of {} bytes", text.size(),
                                   limits.max_metadata_bytes));
    }
    DESKEXT_TRY_ASSIGN(const json document, parse_json(text));
    if (!document.is_object()) {
        return invalid(
            fmt::format("expected an object at the top level, found {}", a_type(document)));
    }
    DESKEXT_TRY(only_known_keys(document, {"icon", "ui", "vm", "host", "name", "provider"}, ""));

    Metadata metadata;
    for (const char* label : {"name", "provider"}) {
        if (const auto it = document.find(label); it != document.end()) {
            DESKEXT_TRY(get_string(*it, label));
        }
    }
    if (const auto icon = document.find("icon"); icon != document.end()) {
        DESKEXT_TRY_ASSIGN(metadata.icon, get_image_path(*icon, "icon"));
    }
    if (const auto ui = document.find("ui"); ui != document.end()) {
        DESKEXT_TRY_ASSIGN(metadata.dashboard_tab, parse_ui(*ui));
    }
    if (const auto vm = document.find("vm"); vm != document.end()) {
        DESKEXT_TRY_ASSIGN(metadata.vm, parse_vm(*vm));
    }
    if (const auto host = document.find("host"); host != document.end()) {
        DESKEXT_TRY(parse_host(*host, metadata));
    }
    return metadata;
}

}  // namespace deskext::extension
