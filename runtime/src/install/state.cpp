#include "deskext/install/state.hpp"

#include <chrono>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "deskext/io/reader.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext {
namespace {

constexpr std::size_t max_state_bytes = 64u << 20;  // a state lists every file; gefyra has ~300

}  // namespace

std::string to_json_text(const InstallState& state) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : state.files) {
        nlohmann::json file = {
            {"path", f.path}, {"sha256", f.sha256}, {"mode", f.mode}, {"size", f.size}};
        if (!f.origin_layer.empty())
            file["origin"] = {{"layer", f.origin_layer}, {"entry", f.origin_entry}};
        files.push_back(std::move(file));
    }
    nlohmann::json emulated = nlohmann::json::array();
    for (const auto& e : state.emulated)
        emulated.push_back({{"binary", e.binary},
                            {"image_platform", e.image_platform},
                            {"manifest_digest", e.manifest_digest},
                            {"runs_as", e.runs_as}});
    nlohmann::json j = {
        {"schema", state.schema},
        {"name", state.name},
        {"source", state.source},
        {"image", state.image},
        {"version", state.version},
        {"index_digest", state.index_digest},
        {"manifest_digest", state.manifest_digest},
        {"platform", state.platform},
        {"image_platform", state.image_platform},
        {"installed_at", state.installed_at},
        {"binaries", state.binaries},
        {"emulated", std::move(emulated)},
        {"files", std::move(files)},
        {"blobs", state.blobs},
    };
    return j.dump(2) + "\n";
}

Result<InstallState> parse_state(std::string_view json) {
    try {
        auto j = nlohmann::json::parse(json);
        InstallState s;
        s.schema = j.at("schema").get<int>();
        if (s.schema != InstallState::current_schema)
            return fail(ErrorCode::invalid_extension,
                        fmt::format("state record has schema {}, this deskext reads schema {}",
                                    s.schema, InstallState::current_schema));
        s.name = j.at("name").get<std::string>();
        s.source = j.value("source", "");
        s.image = j.value("image", "");
        s.version = j.value("version", "");
        s.index_digest = j.value("index_digest", "");
        s.manifest_digest = j.at("manifest_digest").get<std::string>();
        s.platform = j.at("platform").get<std::string>();
        s.image_platform = j.value("image_platform", "");
        s.installed_at = j.value("installed_at", "");
        s.binaries = j.value("binaries", std::vector<std::string>{});
        // Optional: records written before emulated binaries were taken have none.
        for (const auto& e : j.value("emulated", nlohmann::json::array()))
            s.emulated.push_back(
                {e.at("binary").get<std::string>(), e.at("image_platform").get<std::string>(),
                 e.at("manifest_digest").get<std::string>(), e.value("runs_as", "")});
        // Optional: records written before the blobs were kept have none.
        s.blobs = j.value("blobs", std::vector<std::string>{});
        for (const auto& f : j.at("files")) {
            InstalledFile file;
            file.path = f.at("path").get<std::string>();
            file.sha256 = f.at("sha256").get<std::string>();
            file.mode = f.at("mode").get<std::uint32_t>();
            file.size = f.at("size").get<std::int64_t>();
            // Optional: records written before origins were kept have none.
            if (const auto origin = f.find("origin"); origin != f.end()) {
                file.origin_layer = origin->at("layer").get<std::string>();
                file.origin_entry = origin->at("entry").get<std::size_t>();
            }
            s.files.push_back(std::move(file));
        }
        return s;
    } catch (const nlohmann::json::exception& e) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("state record is damaged: {}", e.what()));
    }
}

Result<InstallState> read_state(const std::filesystem::path& extension_dir) {
    auto path = extension_dir / state_dir_name / state_file_name;
    auto reader = open_file_reader(path);
    if (!reader) {
        if (reader.error().code == ErrorCode::not_found)
            return fail(ErrorCode::not_found,
                        fmt::format("{} has no state record ({})", platform::utf8_of(extension_dir),
                                    platform::utf8_of(path)));
        return std::unexpected(reader.error());
    }
    DESKEXT_TRY_ASSIGN(auto text, read_all(**reader, max_state_bytes));
    auto state = parse_state(text);
    if (!state) return std::unexpected(std::move(state).error().context(platform::utf8_of(path)));
    return state;
}

std::string now_rfc3339() {
    auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(now));
}

}  // namespace deskext
