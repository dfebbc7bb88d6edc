#pragma once
// Registry authentication: WWW-Authenticate challenges, the token protocol and Docker's
// credential sources (config.json `auths`, `credsStore`, `credHelpers`).
// https://distribution.github.io/distribution/spec/auth/token/
// https://docs.docker.com/reference/cli/docker/login/#credential-stores

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "deskext/error.hpp"

namespace deskext::registry {

// One challenge of a WWW-Authenticate header (RFC 9110 §11.6.1): `Bearer realm="…",
// service="…", scope="…"` or `Basic realm="…"`. Scheme and parameter names are lower-case.
struct Challenge {
    std::string scheme;
    std::map<std::string, std::string> params;
    [[nodiscard]] std::string param(const std::string& name) const;
};

// Every challenge of one header value (several may be comma-separated); quoted strings with
// backslash escapes are unquoted. ErrorCode::network when it cannot be read.
[[nodiscard]] Result<std::vector<Challenge>> parse_www_authenticate(std::string_view header);

struct Credentials {
    std::string username;
    std::string secret;           // the password, or an identity token when is_identity_token
    bool identity_token = false;  // an OAuth2 refresh token (Docker's "identitytoken")
};

// Where credentials for a registry come from (docs/registry.md, "Credentials").
struct CredentialSource {
    std::filesystem::path config_dir;  // $DOCKER_CONFIG or ~/.docker
};

// The credentials config.json holds for `registry_domain` (the reference's domain: "docker.io",
// "127.0.0.1:5000"): credHelpers[host], else credsStore, else auths. None when there are none
// (or a helper says "credentials not found"). Errors name the file or the helper, never a secret.
[[nodiscard]] Result<std::optional<Credentials>> find_credentials(const CredentialSource& source,
                                                                  std::string_view registry_domain);

// The server name Docker stores credentials under for a registry domain
// ("https://index.docker.io/v1/" for Docker Hub, else the domain).
[[nodiscard]] std::string credentials_key(std::string_view registry_domain);

struct Token {
    std::string value;
    std::chrono::seconds expires_in{60};
};

// A token server's answer: `token` or `access_token`; `expires_in` defaulting to 60 s (the
// spec's minimum).
[[nodiscard]] Result<Token> parse_token_response(std::string_view json);

[[nodiscard]] std::string base64_encode(std::string_view data);
[[nodiscard]] std::optional<std::string> base64_decode(std::string_view text);

}  // namespace deskext::registry
