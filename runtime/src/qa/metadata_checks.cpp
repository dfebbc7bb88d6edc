// validate's metadata.json checks. The schema walk mirrors runtime/src/extension/metadata.cpp
// (https://docs.docker.com/extensions/extensions-sdk/architecture/metadata/) but collects every
// finding instead of stopping at the first; parse_metadata is still run last, so a file install
// would refuse never passes validate.

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "deskext/ascii.hpp"
#include "deskext/extension/metadata.hpp"
#include "deskext/qa/validate.hpp"
#include "extension/display.hpp"

namespace deskext::qa {
namespace {

namespace display = extension::detail;
using nlohmann::json;

constexpr std::string_view os_names[] = {"darwin", "windows", "linux"};

struct DeclaredBinary {
    std::string os;
    std::string raw;   // as written
    std::string path;  // normalised
    bool directory = false;
};

class SchemaWalk {
public:
    std::vector<Finding> findings;
    std::vector<DeclaredBinary> binaries;
    bool has_binaries_key = false;

    void error(std::string code, std::string message, std::string fix) {
        findings.push_back({Severity::error,
                            std::move(code),
                            "metadata.json: " + std::move(message),
                            std::move(fix),
                            {}});
    }

    static std::string where(std::string_view path) {
        return path.empty() ? std::string("at the top level") : fmt::format("in {}", path);
    }
    static std::string join(std::string_view parent, std::string_view key) {
        return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
    }

    void known_keys(const json& object, std::initializer_list<std::string_view> known,
                    std::string_view path) {
        for (const auto& [key, value] : object.items()) {
            if (std::ranges::find(known, std::string_view(key)) != known.end()) continue;
            std::string list;
            for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
            error("unknown_key",
                  fmt::format("unknown key {} {}", display::quoted(key), where(path)),
                  fmt::format("remove it or correct its spelling (Docker's validator refuses "
                              "unknown keys; known {}: {})",
                              where(path), list));
        }
    }

    bool expect(const json& value, json::value_t type, std::string_view path) {
        if (value.type() == type) return true;
        const char* wanted = type == json::value_t::object  ? "an object"
                             : type == json::value_t::array ? "an array"
                                                            : "a string";
        error("wrong_type",
              fmt::format("{}: expected {}, found {}", path, wanted, value.type_name()),
              fmt::format("make {} {}", path, wanted));
        return false;
    }

    void require(const json& object, std::initializer_list<const char*> keys, std::string_view path,
                 std::string_view fix) {
        for (const char* key : keys) {
            if (!object.contains(key))
                error("missing_field", fmt::format("{}: missing \"{}\"", path, key),
                      fmt::format("add \"{}\" to {} ({})", key, path, fix));
        }
    }

    // A string naming a path in the image; returns the normalised path when it is one.
    std::optional<std::string> image_path(const json& value, const std::string& path) {
        if (!expect(value, json::value_t::string, path)) return std::nullopt;
        auto normalised = extension::normalize_image_path(value.get<std::string>(), path);
        if (!normalised) {
            error("unsafe_path", normalised.error().message,
                  "use a path inside the image, '/'-separated, without \"..\", backslashes or "
                  "drive letters");
            return std::nullopt;
        }
        return *normalised;
    }

    void socket(const json& value, const std::string& path) {
        if (!expect(value, json::value_t::object, path)) return;
        known_keys(value, {"socket"}, path);
        require(value, {"socket"}, path, "the socket name the backend listens on");
        if (auto s = value.find("socket"); s != value.end())
            expect(*s, json::value_t::string, join(path, "socket"));
    }

    void ui(const json& value) {
        if (!expect(value, json::value_t::object, "ui")) return;
        known_keys(value, {"dashboard-tab"}, "ui");
        const auto tab = value.find("dashboard-tab");
        if (tab == value.end()) return;
        const std::string path = "ui.dashboard-tab";
        if (!expect(*tab, json::value_t::object, path)) return;
        known_keys(*tab, {"title", "src", "root", "backend"}, path);
        require(*tab, {"title", "src", "root"}, path,
                "the tab title, its entry page and UI folder");
        for (const char* key : {"title", "src"})
            if (auto it = tab->find(key); it != tab->end())
                expect(*it, json::value_t::string, join(path, key));
        if (auto root = tab->find("root"); root != tab->end())
            image_path(*root, join(path, "root"));
        if (auto backend = tab->find("backend"); backend != tab->end())
            socket(*backend, join(path, "backend"));
    }

    void vm(const json& value) {
        if (!expect(value, json::value_t::object, "vm")) return;
        known_keys(value, {"image", "composefile", "exposes"}, "vm");
        if (auto image = value.find("image"); image != value.end())
            expect(*image, json::value_t::string, "vm.image");
        if (auto compose = value.find("composefile"); compose != value.end())
            image_path(*compose, "vm.composefile");
        if (auto exposes = value.find("exposes"); exposes != value.end())
            socket(*exposes, "vm.exposes");
        if (!value.contains("image") && !value.contains("composefile"))
            error("missing_field", "vm: needs \"image\" or \"composefile\"",
                  "name the backend image (vm.image) or its compose file (vm.composefile)");
    }

    void host(const json& value) {
        if (!expect(value, json::value_t::object, "host")) return;
        known_keys(value, {"binaries"}, "host");
        const auto list = value.find("binaries");
        if (list == value.end()) return;
        has_binaries_key = true;
        if (!expect(*list, json::value_t::array, "host.binaries")) return;
        std::size_t index = 0;
        for (const json& element : *list) {
            const std::string element_path = fmt::format("host.binaries[{}]", index++);
            if (!expect(element, json::value_t::object, element_path)) continue;
            known_keys(element, {"darwin", "windows", "linux"}, element_path);
            for (const auto& [os, entries] : element.items()) {
                if (std::ranges::find(os_names, std::string_view(os)) == std::end(os_names))
                    continue;
                const std::string os_path = join(element_path, os);
                if (!expect(entries, json::value_t::array, os_path)) continue;
                std::size_t entry_index = 0;
                for (const json& entry : entries) {
                    const std::string entry_path = fmt::format("{}[{}]", os_path, entry_index++);
                    if (!expect(entry, json::value_t::object, entry_path)) continue;
                    known_keys(entry, {"path"}, entry_path);
                    require(entry, {"path"}, entry_path, "the binary's path in the image");
                    const auto path = entry.find("path");
                    if (path == entry.end()) continue;
                    if (auto normalised = image_path(*path, join(entry_path, "path"))) {
                        const std::string raw = path->get<std::string>();
                        binaries.push_back({os, raw, *normalised, raw.ends_with('/')});
                    }
                }
            }
        }
    }

    void document(const json& top) {
        if (!top.is_object()) {
            error("wrong_type",
                  fmt::format("expected an object at the top level, found {}", top.type_name()),
                  "make metadata.json one JSON object");
            return;
        }
        known_keys(top, {"icon", "ui", "vm", "host", "name", "provider"}, "");
        for (const char* key : {"name", "provider"})
            if (auto it = top.find(key); it != top.end()) expect(*it, json::value_t::string, key);
        if (auto icon = top.find("icon"); icon != top.end())
            image_path(*icon, "icon");
        else
            error("missing_field", "missing \"icon\"",
                  "add \"icon\": the path of the extension's icon file in the image");
        if (auto it = top.find("ui"); it != top.end()) ui(*it);
        if (auto it = top.find("vm"); it != top.end()) vm(*it);
        if (auto it = top.find("host"); it != top.end()) host(*it);
    }
};

std::vector<std::string> components(std::string_view path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        if (end > start) parts.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

// The OS a folder name stands for, or "".
std::string os_of_folder(std::string_view folder) {
    const std::string name = ascii_lower(folder);
    for (auto os : os_names)
        if (name == os) return std::string(os);
    if (name == "macos" || name == "mac" || name == "osx") return "darwin";
    if (name == "win" || name == "win32" || name == "win64") return "windows";
    // "windows-amd64", "darwin_arm64": the OS before an architecture suffix.
    for (auto os : os_names) {
        if (name.starts_with(std::string(os) + "-") || name.starts_with(std::string(os) + "_"))
            return std::string(os);
    }
    return {};
}

// Which architecture family a path names: "amd64", "arm64", or "" (none or both).
std::string arch_named(std::string_view path) {
    const std::string text = ascii_lower(path);
    const auto has_token = [&](std::string_view token) {
        for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at + 1)) {
            const bool start =
                at == 0 || std::isalnum(static_cast<unsigned char>(text[at - 1])) == 0;
            const auto after = at + token.size();
            const bool end =
                after == text.size() || std::isalnum(static_cast<unsigned char>(text[after])) == 0;
            if (start && end) return true;
        }
        return false;
    };
    const bool amd = text.find("amd64") != std::string::npos ||
                     text.find("x86_64") != std::string::npos ||
                     text.find("x86-64") != std::string::npos || has_token("x64");
    const bool arm =
        text.find("arm64") != std::string::npos || text.find("aarch64") != std::string::npos;
    if (amd == arm) return {};
    return amd ? "amd64" : "arm64";
}

using BinariesByOs = std::map<std::string, std::vector<const DeclaredBinary*>>;

// A binary declared for one OS inside another OS's folder (okteto: linux → /windows/...).
void check_other_os_folder(const DeclaredBinary& b, std::vector<Finding>& out) {
    const auto parts = components(b.path);
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        const std::string folder_os = os_of_folder(parts[i]);
        if (folder_os.empty() || folder_os == b.os) continue;
        std::string suggested;
        for (std::size_t j = 0; j < parts.size(); ++j)
            suggested += "/" + (j == i ? b.os : parts[j]);
        out.push_back({Severity::warning,
                       "binary_in_other_os_folder",
                       fmt::format("metadata.json: host.binaries {} entry {} lies in a {} "
                                   "folder: {} hosts would get a {} binary",
                                   b.os, display::quoted(b.raw), folder_os, b.os, folder_os),
                       fmt::format("point the {} entry at the {} build (for example {})", b.os,
                                   b.os, display::quoted(suggested)),
                       {}});
        return;
    }
}

// A file with a Windows extension declared for another OS.
void check_windows_extension(const DeclaredBinary& b, std::vector<Finding>& out) {
    const auto parts = components(b.path);
    const std::string name = ascii_lower(parts.empty() ? "" : parts.back());
    const bool windows_only = name.ends_with(".exe") || name.ends_with(".cmd") ||
                              name.ends_with(".bat") || name.ends_with(".ps1");
    if (b.os == "windows" || !windows_only || b.directory) return;
    out.push_back({Severity::warning,
                   "windows_binary_for_other_os",
                   fmt::format("metadata.json: host.binaries {} entry {} has a Windows "
                               "file extension",
                               b.os, display::quoted(b.raw)),
                   fmt::format("declare the {} build of the program for {}", b.os, b.os),
                   {}});
}

// Architectures hard-coded in the paths of one OS: every image variant installs the same
// build (volumes-backup: /host/darwin-amd64/... reaches Apple silicon).
void check_arch_in_paths(const BinariesByOs& by_os, std::vector<Finding>& out) {
    for (const auto& [os, list] : by_os) {
        std::set<std::string> named;
        const DeclaredBinary* example = nullptr;
        for (const auto* b : list) {
            const std::string arch = arch_named(b->path);
            if (arch.empty()) continue;
            named.insert(arch);
            if (example == nullptr) example = b;
        }
        if (named.size() != 1) continue;
        const std::string arch = *named.begin();
        const std::string other = arch == "amd64" ? "arm64" : "amd64";
        out.push_back(
            {Severity::warning,
             "binary_arch_in_path",
             fmt::format("metadata.json: host.binaries {} names only {} builds ({}): every image "
                         "variant installs them, so {}/{} hosts get binaries for the other "
                         "architecture",
                         os, arch, display::quoted(example->raw), os, other),
             fmt::format("put the {} build of each variant at one path without the architecture "
                         "in it (built per TARGETARCH){}",
                         os, os == "darwin" ? ", or ship universal binaries" : ""),
             {}});
    }
}

// Host binaries for some OSes only (aluedeke: no linux entry).
void check_missing_oses(const BinariesByOs& by_os, std::vector<Finding>& out) {
    if (by_os.empty()) return;
    for (auto os : os_names) {
        if (by_os.contains(std::string(os))) continue;
        out.push_back({Severity::warning,
                       "missing_os_binaries",
                       fmt::format("metadata.json: host.binaries declares nothing for {}: "
                                   "{} hosts install the extension without host binaries",
                                   os, os),
                       fmt::format("add a {} entry, unless the extension needs no host "
                                   "binary on {}",
                                   os, os),
                       {}});
    }
}

// Entries inside a declared directory of the same OS (gefyra: /windows/ and its content).
void check_nested_entries(const BinariesByOs& by_os, std::vector<Finding>& out) {
    for (const auto& [os, list] : by_os) {
        std::size_t nested = 0;
        const DeclaredBinary* outer = nullptr;
        for (const auto* b : list) {
            for (const auto* dir : list) {
                if (dir == b || !dir->directory || !b->path.starts_with(dir->path + "/")) continue;
                ++nested;
                if (outer == nullptr || dir->path.size() < outer->path.size()) outer = dir;
                break;
            }
        }
        if (nested == 0) continue;
        out.push_back(
            {Severity::warning,
             "nested_binary_entries",
             fmt::format("metadata.json: host.binaries {}: {} entr{} lie inside a "
                         "declared directory ({}) and are installed with it",
                         os, nested, nested == 1 ? "y" : "ies", display::quoted(outer->raw)),
             "declare either the directory or the files in it, not both",
             {}});
    }
}

void binary_heuristics(const std::vector<DeclaredBinary>& binaries, std::vector<Finding>& out) {
    BinariesByOs by_os;
    for (const auto& b : binaries) by_os[b.os].push_back(&b);
    for (const auto& b : binaries) {
        check_other_os_folder(b, out);
        check_windows_extension(b, out);
    }
    check_arch_in_paths(by_os, out);
    check_missing_oses(by_os, out);
    check_nested_entries(by_os, out);
}

}  // namespace

std::vector<Finding> check_metadata(std::string_view text, const Limits& limits) {
    if (text.size() > limits.max_metadata_bytes)
        return {{Severity::error,
                 "metadata_too_large",
                 fmt::format("metadata.json: {} bytes, more than the limit of {} bytes",
                             text.size(), limits.max_metadata_bytes),
                 "keep metadata.json to what Docker Desktop reads",
                 {}}};
    json document;
    try {
        document = json::parse(text.begin(), text.end());
    } catch (const json::exception& e) {
        auto parsed = extension::parse_metadata(text, limits);
        return {{Severity::error,
                 "invalid_json",
                 parsed ? fmt::format("metadata.json: not valid JSON: {}", e.what())
                        : parsed.error().message,
                 "fix the JSON syntax at the position given",
                 {}}};
    }
    SchemaWalk walk;
    walk.document(document);
    std::vector<Finding> findings = std::move(walk.findings);
    auto parsed = extension::parse_metadata(text, limits);
    if (findings.empty() && !parsed)
        findings.push_back({Severity::error,
                            "invalid_metadata",
                            parsed.error().message,
                            "correct metadata.json as the message says",
                            {}});
    if (parsed) {
        // Placement problems: two entries on one host/<name>, names Windows cannot hold.
        for (auto os : os_names) {
            if (auto placements = extension::host_binaries_for(*parsed, os); !placements)
                findings.push_back({Severity::error,
                                    "binary_placement",
                                    placements.error().message,
                                    "give each host binary of an OS its own file name",
                                    {}});
        }
    }
    binary_heuristics(walk.binaries, findings);
    return findings;
}

}  // namespace deskext::qa
