// Which registries.conf and daemon.json files are read, in which order
// (containers-registries.conf.d(5): the user's file replaces the system one; drop-ins in
// registries.conf.d/*.conf follow in name order, the system's before the user's), and Docker's
// `registry-mirrors`.

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "deskext/ascii.hpp"
#include "deskext/io/reader.hpp"
#include "deskext/platform/paths.hpp"
#include "deskext/platform/utf8.hpp"
#include "registry/registries_conf.hpp"

namespace deskext::registry {
namespace {

constexpr std::size_t max_config_bytes = 4u << 20;

bool is_file(const std::filesystem::path& path) {
    std::error_code ec;
    return !path.empty() && std::filesystem::is_regular_file(path, ec);
}

Result<std::string> read_config(const std::filesystem::path& path) {
    auto reader = open_file_reader(path);
    if (!reader)
        return std::unexpected(
            std::move(reader).error().context("reading " + platform::utf8_of(path)));
    auto text = read_all(**reader, max_config_bytes, ErrorCode::usage);
    if (!text)
        return std::unexpected(
            std::move(text).error().context("reading " + platform::utf8_of(path)));
    return text;
}

Result<void> add_file(RegistriesConf& conf, const std::filesystem::path& path) {
    DESKEXT_TRY_ASSIGN(const auto text, read_config(path));
    DESKEXT_TRY_ASSIGN(auto rules, parse_registries_conf(text, platform::utf8_of(path)));
    merge_rules(conf, std::move(rules));
    return {};
}

// The *.conf files of a registries.conf.d directory, in name order.
std::vector<std::filesystem::path> drop_ins(const std::filesystem::path& main_file) {
    std::vector<std::filesystem::path> files;
    if (main_file.empty()) return files;
    auto dir = main_file;
    dir += ".d";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".conf" && is_file(entry.path()))
            files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

Result<RegistriesConf> load_registries_conf(const std::filesystem::path& given) {
    RegistriesConf conf;
    if (!given.empty()) {
        if (!is_file(given))
            return fail(ErrorCode::usage,
                        fmt::format("registries.conf {} does not exist", platform::utf8_of(given)));
        DESKEXT_TRY(add_file(conf, given));
        return conf;
    }
    const auto locations = platform::registries_conf_locations();
    std::vector<std::filesystem::path> files;
    const bool user = is_file(locations.user);
    if (user) {
        files.push_back(locations.user);
    } else {
        if (is_file(locations.system)) files.push_back(locations.system);
        for (auto& file : drop_ins(locations.system)) files.push_back(std::move(file));
    }
    for (auto& file : drop_ins(locations.user)) files.push_back(std::move(file));
    for (const auto& file : files) DESKEXT_TRY(add_file(conf, file));
    return conf;
}

Result<MirrorRule> daemon_mirror(const std::string& url, std::string_view file) {
    MirrorRule mirror;
    const auto lower = ascii_lower(url);
    std::string_view rest = url;
    if (lower.starts_with("https://")) {
        rest.remove_prefix(8);
    } else if (lower.starts_with("http://")) {
        rest.remove_prefix(7);
        mirror.insecure = true;
    } else {
        rest = {};
    }
    while (rest.ends_with('/')) rest.remove_suffix(1);
    mirror.location = ascii_lower(rest);
    // Docker refuses a mirror with a path; so does deskext, rather than ignore the path.
    if (mirror.location.find_first_of("/?#@") != std::string::npos ||
        !is_registry_location(mirror.location))
        return fail(ErrorCode::usage,
                    fmt::format("{}: registry-mirrors entry \"{}\" is not http(s)://HOST[:PORT]",
                                file, url));
    return mirror;
}

}  // namespace

Result<std::vector<MirrorRule>> parse_daemon_mirrors(std::string_view text,
                                                     std::string_view file_name) {
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded() || !json.is_object())
        return fail(ErrorCode::usage, fmt::format("{} is not a JSON object", file_name));
    std::vector<MirrorRule> mirrors;
    const auto it = json.find("registry-mirrors");
    if (it == json.end()) return mirrors;
    if (!it->is_array())
        return fail(ErrorCode::usage,
                    fmt::format("{}: registry-mirrors must be an array of URLs", file_name));
    for (const auto& entry : *it) {
        if (!entry.is_string())
            return fail(ErrorCode::usage,
                        fmt::format("{}: registry-mirrors must be an array of URLs", file_name));
        DESKEXT_TRY_ASSIGN(auto mirror, daemon_mirror(entry.get<std::string>(), file_name));
        mirrors.push_back(std::move(mirror));
    }
    return mirrors;
}

Result<MirrorConfig> load_mirror_config(const std::filesystem::path& registries_conf) {
    MirrorConfig config;
    auto given = registries_conf;
    if (given.empty()) {
        if (auto from_env = platform::env_value("DESKEXT_REGISTRIES_CONF"))
            given = platform::path_from_utf8(*from_env);
    }
    DESKEXT_TRY_ASSIGN(config.conf, load_registries_conf(given));
    for (const auto& file : platform::docker_daemon_json_files()) {
        if (!is_file(file)) continue;
        config.daemon_json = platform::utf8_of(file);
        DESKEXT_TRY_ASSIGN(const auto text, read_config(file));
        DESKEXT_TRY_ASSIGN(config.docker_hub_mirrors,
                           parse_daemon_mirrors(text, config.daemon_json));
        break;
    }
    return config;
}

}  // namespace deskext::registry
