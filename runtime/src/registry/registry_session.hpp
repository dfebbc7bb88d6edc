#pragma once
// One repository on one registry: which endpoint answers (https, or http where allowed), the
// auth challenge, credentials and the tokens cached per scope. Every request of the registry
// source goes through here, so that a 401 is answered in one place.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deskext/registry/reference.hpp"
#include "deskext/source/image_source.hpp"
#include "registry/auth.hpp"
#include "registry/http_client.hpp"

namespace deskext::registry {

class RegistrySession {
public:
    RegistrySession(Reference reference, const SourceOptions& options);

    [[nodiscard]] const Reference& reference() const { return m_ref; }

    // GET <endpoint><path> with auth. 401/403 after the available credentials is
    // ErrorCode::auth; other statuses come back in the response.
    [[nodiscard]] Result<HttpResponse> get(const std::string& path,
                                           std::vector<std::string> headers, BodySink* sink,
                                           bool resumable = false);

    struct BlobJob {
        std::string path;
        BodySink* sink = nullptr;
    };
    // Several resumable GETs at once; one result each. `watch.finished` is told of each final
    // result as it comes (a refusal is asked again with a renewed token first).
    [[nodiscard]] std::vector<Result<HttpResponse>> get_all(const std::vector<BlobJob>& jobs,
                                                            const HttpClient::Watch& watch = {});

private:
    Result<void> ensure_endpoint();
    Result<std::string> authorization(bool renew);
    Result<std::string> fetch_token(const Challenge& challenge);
    Result<void> load_credentials();
    void learn_challenges(const HttpResponse& response);
    Error denied(long status) const;

    Reference m_ref;
    std::string m_authority;  // host[:port] the API is reached at
    HttpClient m_http;
    bool m_allow_http = false;
    std::vector<std::string> m_insecure_registries;  // --insecure-registry, as given
    std::string m_base;                              // "https://host" once known
    std::vector<Challenge> m_challenges;
    bool m_credentials_loaded = false;
    std::optional<Credentials> m_credentials;
    std::string m_scope;
    struct CachedToken {
        std::string value;
        std::chrono::steady_clock::time_point expires;
    };
    std::map<std::string, CachedToken> m_tokens;  // by scope
};

// Whether a registry host[:port] is on this machine (localhost, 127.0.0.0/8, ::1).
[[nodiscard]] bool is_loopback_authority(std::string_view authority);

// Whether credentials may go to a token server at `realm`: over HTTPS, or over plain HTTP to a
// host on this machine or one named by --insecure-registry (docs/registry.md, "Authentication").
[[nodiscard]] bool may_send_credentials(std::string_view realm,
                                        const std::vector<std::string>& insecure_registries);

// Whether `authority` is named by one of the --insecure-registry values (HOST matches any port).
[[nodiscard]] bool is_insecure(std::string_view authority,
                               const std::vector<std::string>& insecure_registries);

// TLS for a host from the certs.d directories (docs/registry.md, "TLS"); an error when one of
// its CA files cannot be read.
[[nodiscard]] Result<TlsSettings> tls_from_certs_d(
    const std::string& authority, const std::vector<std::filesystem::path>& certs_dirs,
    bool insecure);

}  // namespace deskext::registry
