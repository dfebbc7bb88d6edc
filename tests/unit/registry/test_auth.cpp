#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "fixtures/scoped_env.hpp"
#include "fixtures/temp_dir.hpp"
#include "registry/auth.hpp"

using deskext::ErrorCode;
using deskext::fixtures::ScopedEnv;
using deskext::fixtures::TempDir;
using namespace deskext::registry;

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
}

// A docker-credential-<name> on a private PATH that answers like the real helpers: the JSON for
// `known_server`, "credentials not found" (exit 1) for any other, and logs what it was asked.
void write_helper(const std::filesystem::path& bin, const std::string& name,
                  const std::string& known_server, const std::string& json) {
    const auto path = bin / ("docker-credential-" + name);
    write(path,
          "#!/bin/sh\n"
          "[ \"$1\" = get ] || exit 3\n"
          "read server\n"
          "echo \"$server\" >> \"$(dirname \"$0\")/asked-" +
              name +
              "\"\n"
              "if [ \"$server\" = '" +
              known_server +
              "' ]; then\n"
              "  printf '%s' '" +
              json +
              "'\n"
              "else\n"
              "  echo 'credentials not found in native keychain'; exit 1\n"
              "fi\n");
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
}

}  // namespace

TEST_CASE("registry: WWW-Authenticate challenges are parsed", "[registry]") {
    auto bearer = parse_www_authenticate(
        R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull")");
    REQUIRE(bearer);
    REQUIRE(bearer->size() == 1);
    CHECK((*bearer)[0].scheme == "bearer");
    CHECK((*bearer)[0].param("realm") == "https://auth.docker.io/token");
    CHECK((*bearer)[0].param("service") == "registry.docker.io");
    CHECK((*bearer)[0].param("scope") == "repository:library/alpine:pull");

    auto basic = parse_www_authenticate(R"(Basic realm="Registry Realm")");
    REQUIRE(basic);
    REQUIRE(basic->size() == 1);
    CHECK((*basic)[0].scheme == "basic");
    CHECK((*basic)[0].param("realm") == "Registry Realm");

    // Several challenges, escaped quotes, spaces, unquoted values, upper-case names, and a
    // scope holding commas.
    auto several = parse_www_authenticate(
        R"(BASIC realm="a \"quoted\" realm", Bearer Realm=https://t.example/token , service = svc,scope="repository:a/b:pull,push",error="invalid_token")");
    REQUIRE(several);
    REQUIRE(several->size() == 2);
    CHECK((*several)[0].scheme == "basic");
    CHECK((*several)[0].param("realm") == R"(a "quoted" realm)");
    CHECK((*several)[1].scheme == "bearer");
    CHECK((*several)[1].param("realm") == "https://t.example/token");
    CHECK((*several)[1].param("service") == "svc");
    CHECK((*several)[1].param("scope") == "repository:a/b:pull,push");
    CHECK((*several)[1].param("error") == "invalid_token");

    auto bare = parse_www_authenticate("Negotiate");
    REQUIRE(bare);
    REQUIRE(bare->size() == 1);
    CHECK(bare->front().params.empty());

    auto unterminated = parse_www_authenticate(R"(Bearer realm="https://x)");
    REQUIRE_FALSE(unterminated);
    CHECK(unterminated.error().code == ErrorCode::network);
}

TEST_CASE("registry: token responses", "[registry]") {
    auto token = parse_token_response(R"({"token":"abc","expires_in":300})");
    REQUIRE(token);
    CHECK(token->value == "abc");
    CHECK(token->expires_in == std::chrono::seconds(300));
    auto access = parse_token_response(R"({"access_token":"xyz"})");
    REQUIRE(access);
    CHECK(access->value == "xyz");
    CHECK(access->expires_in == std::chrono::seconds(60));  // the spec's default
    auto short_lived = parse_token_response(R"({"token":"t","expires_in":5})");
    REQUIRE(short_lived);
    CHECK(short_lived->expires_in == std::chrono::seconds(60));  // the spec's minimum
    CHECK(parse_token_response(R"({"expires_in":5})").error().code == ErrorCode::auth);
    CHECK(parse_token_response("not json").error().code == ErrorCode::auth);
}

TEST_CASE("registry: base64 round trips", "[registry]") {
    const std::vector<std::string> texts{"",    "a",          "ab",
                                         "abc", "user:pa:ss", std::string("\xff\x00\x7f", 3)};
    for (const auto& text : texts) {
        CHECK(base64_decode(base64_encode(text)) == text);
    }
    CHECK(base64_encode("user:pass") == "dXNlcjpwYXNz");
    CHECK_FALSE(base64_decode("***").has_value());
}

TEST_CASE("registry: credentials from config.json auths", "[registry]") {
    TempDir tmp;
    const CredentialSource source{tmp.path()};
    CHECK(credentials_key("docker.io") == "https://index.docker.io/v1/");
    CHECK(credentials_key("127.0.0.1:5000") == "127.0.0.1:5000");

    SECTION("no config.json: anonymous") {
        auto none = find_credentials(source, "docker.io");
        REQUIRE(none);
        CHECK_FALSE(none->has_value());
    }
    SECTION("auth, username/password, identitytoken, Docker Hub's key, URL-shaped keys") {
        write(tmp / "config.json", R"({"auths": {
            "https://index.docker.io/v1/": {"auth": ")" +
                                       base64_encode("hubuser:hub:pw") + R"("},
            "127.0.0.1:5000": {"username": "alice", "password": "wonder"},
            "https://reg.example.com/v2/": {"auth": ")" +
                                       base64_encode("bob:builder") + R"("},
            "oauth.example.com": {"auth": ")" +
                                       base64_encode("carol:ignored") + R"(",
                                  "identitytoken": "refresh-me"},
            "empty.example.com": {}
        }})");
        auto hub = find_credentials(source, "docker.io");
        REQUIRE(hub);
        REQUIRE(hub->has_value());
        CHECK((*hub)->username == "hubuser");
        CHECK((*hub)->secret == "hub:pw");
        CHECK_FALSE((*hub)->identity_token);

        auto local = find_credentials(source, "127.0.0.1:5000");
        REQUIRE(local);
        REQUIRE(local->has_value());
        CHECK((*local)->username == "alice");
        CHECK((*local)->secret == "wonder");

        auto url_key = find_credentials(source, "reg.example.com");
        REQUIRE(url_key);
        REQUIRE(url_key->has_value());
        CHECK((*url_key)->username == "bob");

        auto oauth = find_credentials(source, "oauth.example.com");
        REQUIRE(oauth);
        REQUIRE(oauth->has_value());
        CHECK((*oauth)->identity_token);
        CHECK((*oauth)->secret == "refresh-me");

        auto empty = find_credentials(source, "empty.example.com");
        REQUIRE(empty);
        CHECK_FALSE(empty->has_value());
        auto other = find_credentials(source, "127.0.0.1:5001");
        REQUIRE(other);
        CHECK_FALSE(other->has_value());
    }
    SECTION("a malformed auth entry names the file, not the secret") {
        write(tmp / "config.json", R"({"auths": {"r.example": {"auth": "bm9jb2xvbg=="}}})");
        auto bad = find_credentials(source, "r.example");
        REQUIRE_FALSE(bad);
        CHECK(bad.error().code == ErrorCode::auth);
        CHECK_THAT(bad.error().message, Catch::Contains("config.json"));
        CHECK_THAT(bad.error().message, !Catch::Contains("nocolon"));
    }
    SECTION("invalid JSON is a usage error") {
        write(tmp / "config.json", "{");
        CHECK(find_credentials(source, "docker.io").error().code == ErrorCode::usage);
    }
}

// [posix]: the helpers are shell scripts found on a ':'-separated PATH.
TEST_CASE("registry: credentials from credential helpers", "[registry][posix]") {
    TempDir tmp;
    const auto bin = tmp / "bin";
    const CredentialSource source{tmp / "config"};
    const auto path = std::string(::getenv("PATH") ? ::getenv("PATH") : "/usr/bin:/bin");
    ScopedEnv set_path("PATH", bin.string() + ":" + path);
    write_helper(bin, "store", "https://index.docker.io/v1/",
                 R"({"ServerURL":"https://index.docker.io/v1/","Username":"hub","Secret":"s1"})");
    write_helper(bin, "local", "127.0.0.1:5000",
                 R"({"ServerURL":"127.0.0.1:5000","Username":"<token>","Secret":"idtoken"})");
    write(tmp / "config" / "config.json", R"({
        "credsStore": "store",
        "credHelpers": {"127.0.0.1:5000": "local", "broken.example": "missing"},
        "auths": {"fallback.example": {"username": "f", "password": "fpw"}}
    })");

    auto hub = find_credentials(source, "docker.io");
    REQUIRE(hub);
    REQUIRE(hub->has_value());
    CHECK((*hub)->username == "hub");
    CHECK((*hub)->secret == "s1");

    // credHelpers wins over credsStore; "<token>" marks an identity token.
    auto local = find_credentials(source, "127.0.0.1:5000");
    REQUIRE(local);
    REQUIRE(local->has_value());
    CHECK((*local)->identity_token);
    CHECK((*local)->secret == "idtoken");

    // "credentials not found" from the store: auths, else anonymous.
    auto fallback = find_credentials(source, "fallback.example");
    REQUIRE(fallback);
    REQUIRE(fallback->has_value());
    CHECK((*fallback)->username == "f");
    auto nothing = find_credentials(source, "nothing.example");
    REQUIRE(nothing);
    CHECK_FALSE(nothing->has_value());

    // A configured helper that is not installed: anonymous rather than a failure.
    auto missing = find_credentials(source, "broken.example");
    REQUIRE(missing);
    CHECK_FALSE(missing->has_value());

    std::ifstream asked(bin / "asked-store");
    std::string first;
    std::getline(asked, first);
    CHECK(first == "https://index.docker.io/v1/");
}
