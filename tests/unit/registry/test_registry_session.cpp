// Which registries may be reached over plain HTTP, and where credentials may go
// (registry/registry_session.hpp; docs/registry.md).

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "fixtures/temp_dir.hpp"
#include "registry/registry_session.hpp"

using deskext::registry::is_insecure;
using deskext::registry::is_loopback_authority;
using deskext::registry::may_send_credentials;
using deskext::registry::tls_from_certs_d;

TEST_CASE("registry session: loopback authorities", "[registry]") {
    CHECK(is_loopback_authority("localhost:5000"));
    CHECK(is_loopback_authority("LOCALHOST"));
    CHECK(is_loopback_authority("127.0.0.1:5000"));
    CHECK(is_loopback_authority("127.1.2.3"));
    CHECK(is_loopback_authority("[::1]:5000"));
    CHECK_FALSE(is_loopback_authority("127.0.0.1.example.com"));
    CHECK_FALSE(is_loopback_authority("registry.example.com:5000"));
    CHECK_FALSE(is_loopback_authority("10.0.0.1:5000"));
}

TEST_CASE("registry session: --insecure-registry names a host on any port, or a host:port",
          "[registry]") {
    const std::vector<std::string> insecure{"http://Mirror.corp:5000/", "plain.corp"};
    CHECK(is_insecure("mirror.corp:5000", insecure));
    CHECK_FALSE(is_insecure("mirror.corp:5001", insecure));
    CHECK(is_insecure("plain.corp:8080", insecure));
    CHECK(is_insecure("plain.corp", insecure));
    CHECK_FALSE(is_insecure("other.corp", insecure));
}

TEST_CASE(
    "registry session: credentials go to a token server over HTTPS, or over plain HTTP "
    "only to this machine or a host named insecure",
    "[registry]") {
    const std::vector<std::string> insecure{"tokens.corp"};
    CHECK(may_send_credentials("https://auth.example.com/token", {}));
    CHECK(may_send_credentials("HTTPS://auth.example.com/token", {}));
    CHECK_FALSE(may_send_credentials("http://auth.example.com/token", {}));
    CHECK_FALSE(may_send_credentials("HTTP://auth.example.com:80/token?x=1", {}));
    CHECK(may_send_credentials("http://127.0.0.1:5001/token", {}));
    CHECK(may_send_credentials("http://localhost/token", {}));
    CHECK(may_send_credentials("http://tokens.corp:8080/token", insecure));
    CHECK_FALSE(may_send_credentials("http://tokens.corp.evil.example/token", insecure));
    // A user-info part does not make another host look like the insecure one.
    CHECK_FALSE(may_send_credentials("http://tokens.corp@evil.example/token", insecure));
    CHECK(may_send_credentials("http://evil.example@tokens.corp/token", insecure));
}

TEST_CASE("registry session: a certs.d CA that cannot be read fails, rather than being skipped",
          "[registry]") {
    deskext::fixtures::TempDir tmp;
    const auto dir = tmp / "certs.d" / "reg.example";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "ca.crt") << "PEM";
    auto tls = tls_from_certs_d("reg.example", {tmp / "certs.d"}, false);
    REQUIRE(tls);
    CHECK(tls->verify);
    CHECK(tls->extra_ca_pem == "PEM\n");

    // A directory where a CA file is expected: nothing can be read from it.
    std::filesystem::create_directories(dir / "more.crt");
    tls = tls_from_certs_d("reg.example", {tmp / "certs.d"}, false);
    REQUIRE_FALSE(tls);
    CHECK_THAT(tls.error().message, Catch::Contains("more.crt"));
}
