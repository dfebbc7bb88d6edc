// com.docker.desktop.extension.api.version: semantic versions, constraints and the install check.

#include <catch2/catch.hpp>

#include <vector>

#include "deskext/extension/api_version.hpp"

using namespace deskext;
using namespace deskext::extension;

namespace {

bool allows(std::string_view constraint, std::string_view version) {
    auto parsed = parse_version_constraint(constraint);
    REQUIRE(parsed);
    auto v = parse_semver(version);
    REQUIRE(v);
    return parsed->allows(*v);
}

struct RecordingSink final : EventSink {
    std::vector<std::pair<std::string, nlohmann::json>> events;
    void emit(std::string_view name, nlohmann::json fields) override {
        events.emplace_back(std::string(name), std::move(fields));
    }
};

}  // namespace

TEST_CASE("api version: semantic versions", "[extension][api_version]") {
    CHECK(parse_semver("0.3.4") == SemVer{0, 3, 4});
    CHECK(parse_semver("1.2") == SemVer{1, 2, 0});
    CHECK(parse_semver("v2.0.1") == SemVer{2, 0, 1});
    CHECK(to_string(SemVer{0, 3, 4}) == "0.3.4");
    CHECK(SemVer{0, 10, 0} > SemVer{0, 9, 9});
    for (const char* bad : {"", "1", "1.", ".1", "1.2.3.4", "a.b", "1.2.x", "1.2.3-beta",
                            "1.2.3+build", "99999999999.0"}) {
        INFO(bad);
        auto parsed = parse_semver(bad);
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == ErrorCode::invalid_extension);
    }
}

TEST_CASE("api version: constraints the corpus and Docker's docs use", "[extension][api_version]") {
    CHECK(allows(">= 0.2.3", "0.3.4"));
    CHECK(allows(">=0.2.3", "0.2.3"));
    CHECK_FALSE(allows(">= 0.2.3", "0.2.2"));
    CHECK(allows(">= 0.2.0", "0.3.4"));
    CHECK(allows(">=0.3.0", "0.3.4"));
    CHECK_FALSE(allows(">=0.3.5", "0.3.4"));
    // Docker's documented example: both must hold.
    CHECK(allows(">= 1.4.7, < 2.0", "1.9.0"));
    CHECK_FALSE(allows(">= 1.4.7, < 2.0", "2.0.0"));
    CHECK_FALSE(allows(">= 1.4.7, < 2.0", "0.3.4"));
    CHECK(allows(">= 0.1 < 0.4", "0.3.4"));  // space-separated also means "and"
    // A bare version is exactly that version.
    CHECK(allows("0.3.4", "0.3.4"));
    CHECK_FALSE(allows("0.3.0", "0.3.4"));
    CHECK(allows("= 0.3.4", "0.3.4"));
    CHECK(allows("==0.3.4", "0.3.4"));
    CHECK(allows("> 0.3.3", "0.3.4"));
    CHECK_FALSE(allows("> 0.3.4", "0.3.4"));
    CHECK(allows("<= 0.3.4", "0.3.4"));
    CHECK_FALSE(allows("< 0.3.4", "0.3.4"));
    CHECK(allows("< 0.2 || >= 0.3", "0.3.4"));
    CHECK_FALSE(allows("< 0.2 || >= 0.4", "0.3.4"));
}

TEST_CASE("api version: malformed constraints say what is wrong", "[extension][api_version]") {
    for (const char* bad : {"", "   ", ">=", ">= latest", "~> 1.0", ">= 1.0,", "|| 1.0", "^1.0"}) {
        INFO(bad);
        auto parsed = parse_version_constraint(bad);
        if (std::string_view(bad) == ">= 1.0,") {
            CHECK(parsed);  // a trailing separator is harmless
            continue;
        }
        REQUIRE_FALSE(parsed);
        CHECK(parsed.error().code == ErrorCode::invalid_extension);
        CHECK(parsed.error().message.find("com.docker.desktop.extension.api.version") !=
              std::string::npos);
    }
}

TEST_CASE("api version: the install check", "[extension][api_version]") {
    RecordingSink sink;
    CHECK(check_api_version({{"com.docker.desktop.extension.api.version", ">= 0.2.3"}}, "0.3.4",
                            sink));
    CHECK(sink.events.empty());

    auto too_new = check_api_version({{"com.docker.desktop.extension.api.version", ">= 0.4.0"}},
                                     "0.3.4", sink);
    REQUIRE_FALSE(too_new);
    CHECK(too_new.error().code == ErrorCode::incompatible_api);
    CHECK(too_new.error().message.find(">= 0.4.0") != std::string::npos);
    CHECK(too_new.error().message.find("0.3.4") != std::string::npos);

    auto bad =
        check_api_version({{"com.docker.desktop.extension.api.version", "latest"}}, "0.3.4", sink);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code == ErrorCode::invalid_extension);

    CHECK(check_api_version({{"org.opencontainers.image.title", "x"}}, "0.3.4", sink));
    REQUIRE(sink.events.size() == 1);
    CHECK(sink.events[0].first == "warning");
    CHECK(sink.events[0].second["message"].get<std::string>().find("no "
                                                                   "com.docker.desktop.extension."
                                                                   "api.version label") !=
          std::string::npos);
}
