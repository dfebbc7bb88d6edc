// install_extension as a library call, over an image served from memory: what it writes, what
// a second install of the same image does, that a failure leaves the previous install as it
// was, and that two calls in one process with different settings each keep their own.
#include "deskext/install/installer.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "fixtures/memory_source.hpp"
#include "fixtures/files.hpp"
#include "fixtures/temp_dir.hpp"

using namespace deskext;
using fixtures::file;
using fixtures::TarCompression;

namespace {

class RecordingSink final : public EventSink {
public:
    void emit(std::string_view name, nlohmann::json fields) override {
        events.emplace_back(std::string(name), std::move(fields));
    }
    [[nodiscard]] bool saw(std::string_view name) const {
        for (const auto& [event, fields] : events)
            if (event == name) return true;
        return false;
    }
    std::vector<std::pair<std::string, nlohmann::json>> events;
};

std::string metadata(const std::string& binary) {
    return R"({"icon":"icon.svg","ui":{"dashboard-tab":{"title":"T","root":"/ui","src":"index.html"}},)"
           R"("host":{"binaries":[{"linux":[{"path":"/host/linux/)" +
           binary + R"("}]}]}})";
}

// An extension image in `source`: its metadata declares `binary`, which the layer holds only
// when `with_binary`.
void extension_image(fixtures::MemorySource& source, const std::string& version,
                     const std::string& binary = "tool", bool with_binary = true) {
    std::vector<fixtures::TarEntry> entries{file("metadata.json", metadata(binary)),
                                            file("icon.svg", "<svg/>"),
                                            file("ui/index.html", "<html>" + version)};
    if (with_binary) entries.push_back(file("host/linux/" + binary, "#!/bin/sh\n", 0755));
    source.set_image({source.add_layer(entries, TarCompression::gzip)},
                     {{"org.opencontainers.image.version", version}}, "acme/ext:" + version);
}

InstallOptions options_for(const std::filesystem::path& root) {
    InstallOptions options;
    options.root = root;
    options.host = platform::make_platform("linux", "amd64");
    options.name = "ext";
    return options;
}


}  // namespace

TEST_CASE("installer: an image from memory is installed, and again changes nothing",
          "[install]") {
    fixtures::TempDir tmp;
    fixtures::MemorySource source;
    extension_image(source, "1.0");
    RecordingSink events;
    auto installed = install_extension(source, options_for(tmp / "root"), events);
    REQUIRE(installed);
    CHECK_FALSE(installed->unchanged);
    CHECK(installed->directory == tmp / "root" / "ext");
    CHECK(installed->state.name == "ext");
    CHECK(installed->state.version == "1.0");
    CHECK(installed->state.image_platform == "linux/amd64");
    CHECK(installed->state.binaries == std::vector<std::string>{"host/tool"});
    CHECK(fixtures::read_file(installed->directory / "ui" / "ui" / "index.html") == "<html>1.0");
    CHECK(fixtures::read_file(installed->directory / "host" / "tool") == "#!/bin/sh\n");
    CHECK(events.saw("resolved"));

    RecordingSink again;
    auto unchanged = install_extension(source, options_for(tmp / "root"), again);
    REQUIRE(unchanged);
    CHECK(unchanged->unchanged);
    CHECK(unchanged->state.manifest_digest == installed->state.manifest_digest);
}

TEST_CASE("installer: a failed update leaves the previous install as it was", "[install]") {
    fixtures::TempDir tmp;
    fixtures::MemorySource first;
    extension_image(first, "1.0");
    RecordingSink events;
    REQUIRE(install_extension(first, options_for(tmp / "root"), events));
    const auto before = fixtures::names_in(tmp / "root");

    // The new version declares a binary its layer lacks.
    fixtures::MemorySource broken;
    extension_image(broken, "2.0", "missing", false);
    auto options = options_for(tmp / "root");
    options.require_installed = true;
    auto failed = install_extension(broken, options, events);
    REQUIRE_FALSE(failed);
    CHECK(failed.error().code == ErrorCode::invalid_extension);
    CHECK_THAT(failed.error().message, Catch::Contains("missing"));
    CHECK(fixtures::names_in(tmp / "root") == before);
    CHECK(fixtures::read_file(tmp / "root" / "ext" / "ui" / "ui" / "index.html") == "<html>1.0");
    auto state = read_state(tmp / "root" / "ext");
    REQUIRE(state);
    CHECK(state->version == "1.0");
}

TEST_CASE("installer: an update of an extension that is not installed is refused", "[install]") {
    fixtures::TempDir tmp;
    fixtures::MemorySource source;
    extension_image(source, "1.0");
    auto options = options_for(tmp / "root");
    options.require_installed = true;
    RecordingSink events;
    auto refused = install_extension(source, options, events);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ErrorCode::not_found);
    CHECK_FALSE(std::filesystem::exists(tmp / "root" / "ext"));
}

TEST_CASE("installer: two calls in one process keep their own settings", "[install]") {
    fixtures::TempDir tmp;
    fixtures::MemorySource source;
    extension_image(source, "1.0");
    RecordingSink events;
    auto tight = options_for(tmp / "root");
    tight.limits.max_image_entries = 2;
    auto refused = install_extension(source, tight, events);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("--max-entries"));

    auto installed = install_extension(source, options_for(tmp / "root"), events);
    INFO((installed ? "" : installed.error().message));
    CHECK(installed);
    auto elsewhere = options_for(tmp / "other");
    elsewhere.name = "ext2";
    auto second = install_extension(source, elsewhere, events);
    REQUIRE(second);
    CHECK(second->directory == tmp / "other" / "ext2");
    CHECK(std::filesystem::exists(tmp / "root" / "ext" / "host" / "tool"));
}
