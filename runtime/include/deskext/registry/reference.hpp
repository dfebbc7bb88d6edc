#pragma once
// Image references as Docker reads them: `NAME[:TAG][@DIGEST]`, normalised the way the docker
// CLI does (`foo` → `docker.io/library/foo:latest`).
// https://github.com/distribution/reference/blob/main/reference.go (grammar) and
// https://github.com/distribution/reference/blob/main/normalize.go (normalisation)

#include <optional>
#include <string>
#include <string_view>

#include "deskext/digest.hpp"
#include "deskext/error.hpp"

namespace deskext::registry {

inline constexpr std::string_view docker_hub_domain = "docker.io";
// Where Docker Hub's registry API is served (docker.io itself redirects to the website).
inline constexpr std::string_view docker_hub_api_host = "registry-1.docker.io";
// The key Docker writes Docker Hub credentials under in config.json.
inline constexpr std::string_view docker_hub_auth_key = "https://index.docker.io/v1/";

struct Reference {
    std::string domain;            // "docker.io", "127.0.0.1:5000", "ghcr.io"
    std::string path;              // "library/alpine", "acme/ext"
    std::string tag;               // "latest" when neither tag nor digest was given
    std::optional<Digest> digest;  // when given; wins over the tag when fetching

    // Parses and normalises; ErrorCode::usage naming what is wrong (uppercase repository,
    // malformed tag or digest, name too long, empty component).
    [[nodiscard]] static Result<Reference> parse(std::string_view text);

    // "domain/path[:tag][@digest]", fully qualified.
    [[nodiscard]] std::string to_string() const;
    // "domain/path".
    [[nodiscard]] std::string repository() const;
    // The host[:port] the registry API is reached at (registry-1.docker.io for docker.io).
    [[nodiscard]] std::string api_host() const;
    // What goes after /manifests/: the digest when there is one, else the tag.
    [[nodiscard]] std::string manifest_ref() const;
};

}  // namespace deskext::registry
