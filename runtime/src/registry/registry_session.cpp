// Endpoint selection, auth challenges and tokens for one repository.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#determining-support
// https://distribution.github.io/distribution/spec/auth/token/
// https://distribution.github.io/distribution/spec/auth/oauth/ (identity tokens)

#include "registry/registry_session.hpp"

#include <curl/curl.h>

#include <memory>

#include <fmt/format.h>

#include "deskext/ascii.hpp"
#include "deskext/io/reader.hpp"
#include "deskext/platform/paths.hpp"
#include "deskext/platform/utf8.hpp"
#include "registry/url_sanitizer.hpp"

namespace deskext::registry {
namespace {

constexpr std::size_t max_token_bytes = 1u << 20;

std::string host_of(std::string_view authority) {
    if (authority.starts_with('['))
        return std::string(authority.substr(1, authority.find(']') - 1));
    const auto colon = authority.rfind(':');
    return std::string(colon == std::string_view::npos ? authority : authority.substr(0, colon));
}

std::string url_escape(const std::string& text) {
    std::string out;
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += fmt::format("%{:02X}", c);
        }
    }
    return out;
}

constexpr std::size_t max_certs_d_file_bytes = 4u << 20;

// A certs.d file that cannot be read fails the request, as it does Docker's: going on without
// the CA it holds would fail later with a misleading "certificate not trusted".
Result<std::string> read_certs_d_file(const std::filesystem::path& path) {
    auto text = [&]() -> Result<std::string> {
        DESKEXT_TRY_ASSIGN(auto in, open_file_reader(path));
        return read_all(*in, max_certs_d_file_bytes, ErrorCode::usage);
    }();
    if (!text) {
        return std::unexpected(
            std::move(text).error().context("reading " + platform::utf8_of(path)));
    }
    return text;
}

// Codes of an https attempt that mean "nothing speaks TLS there": the cue to try plain HTTP.
bool suggests_plain_http(long code) {
    return code == CURLE_SSL_CONNECT_ERROR || code == CURLE_GOT_NOTHING ||
           code == CURLE_RECV_ERROR || code == CURLE_WEIRD_SERVER_REPLY || code == CURLE_SEND_ERROR;
}

}  // namespace

bool is_loopback_authority(std::string_view authority) {
    const auto host = ascii_lower(host_of(authority));
    if (host == "localhost" || host == "::1") return true;
    return host.starts_with("127.") && host.find_first_not_of("0123456789.") == std::string::npos;
}

bool may_send_credentials(std::string_view realm,
                          const std::vector<std::string>& insecure_registries) {
    if (!ascii_lower(realm.substr(0, 7)).starts_with("http://")) return true;
    const auto authority = url_authority(realm);
    return is_loopback_authority(authority) || is_insecure(authority, insecure_registries);
}

bool is_insecure(std::string_view authority, const std::vector<std::string>& insecure_registries) {
    const auto wanted = ascii_lower(authority);
    for (const auto& entry : insecure_registries) {
        auto value = ascii_lower(entry);
        for (std::string_view prefix : {"http://", "https://"}) {
            if (value.starts_with(prefix)) value.erase(0, prefix.size());
        }
        while (value.ends_with('/')) value.pop_back();
        if (value == wanted) return true;
        // HOST without a port names the host on any port.
        if (value.find(':') == std::string::npos && value == ascii_lower(host_of(wanted))) return true;
    }
    return false;
}

Result<TlsSettings> tls_from_certs_d(const std::string& authority,
                                     const std::vector<std::filesystem::path>& certs_dirs,
                                     bool insecure) {
    TlsSettings tls;
    tls.verify = !insecure;
    for (const auto& base : certs_dirs) {
        const auto dir = base / authority;
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec)) continue;
        std::vector<std::filesystem::path> files;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            files.push_back(entry.path());
        }
        std::sort(files.begin(), files.end());
        for (const auto& file : files) {
            const auto ext = platform::utf8_of(file.extension());
            if (ext == ".crt") {
                DESKEXT_TRY_ASSIGN(const auto pem, read_certs_d_file(file));
                tls.extra_ca_pem += pem + "\n";
            } else if (ext == ".cert" && tls.client_cert.empty()) {
                // Docker pairs NAME.cert with NAME.key (client.cert / client.key).
                auto key = file;
                key.replace_extension(".key");
                if (std::filesystem::is_regular_file(key, ec)) {
                    tls.client_cert = platform::utf8_of(file);
                    tls.client_key = platform::utf8_of(key);
                }
            }
        }
    }
    return tls;
}

namespace {

HttpParams http_params(const SourceOptions& options) {
    HttpParams params;
    params.request_timeout = options.request_timeout;
    return params;
}

}  // namespace

RegistrySession::RegistrySession(Reference reference, const SourceOptions& options)
    : m_ref(std::move(reference)),
      m_authority(ascii_lower(m_ref.api_host())),
      m_http(http_params(options), ProxyConfig::from_environment(),
             [insecure = options.insecure_registries, dirs = platform::docker_certs_dirs(),
              cache = std::make_shared<std::map<std::string, TlsSettings>>()](
                 const std::string& authority) -> Result<TlsSettings> {
                 auto it = cache->find(authority);
                 if (it == cache->end()) {
                     DESKEXT_TRY_ASSIGN(
                         auto tls,
                         tls_from_certs_d(authority, dirs, is_insecure(authority, insecure)));
                     it = cache->emplace(authority, std::move(tls)).first;
                 }
                 return it->second;
             }),
      m_allow_http(is_loopback_authority(m_authority) ||
                   is_insecure(m_authority, options.insecure_registries)),
      m_insecure_registries(options.insecure_registries),
      m_scope("repository:" + m_ref.path + ":pull") {}

Result<void> RegistrySession::ensure_endpoint() {
    if (!m_base.empty()) return {};
    HttpRequest probe;
    probe.url = "https://" + m_authority + "/v2/";
    if (m_allow_http) probe.max_attempts = 1;
    long code = 0;
    auto response = m_http.run(probe, nullptr, &code);
    // The probe again over plain HTTP; when that fails too, the message gives both reasons.
    const auto try_plain_http = [&](int max_attempts) {
        HttpRequest plain_probe = probe;
        plain_probe.url = "http://" + m_authority + "/v2/";
        plain_probe.max_attempts = max_attempts;
        auto plain = m_http.run(plain_probe, nullptr);
        if (plain) {
            response = std::move(plain);
        } else {
            response.error().message += "; over plain HTTP: " + plain.error().message;
        }
    };
    if (!response && m_allow_http && suggests_plain_http(code)) {
        // Docker's rule for insecure and loopback registries: HTTPS first, then plain HTTP.
        try_plain_http(0);
    } else if (!response && m_allow_http &&
               (code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_CONNECT)) {
        // HTTPS never reached the host, but plain HTTP may take another route (HTTP_PROXY
        // without HTTPS_PROXY, the proxy alone resolving the name): Docker tries it too.
        try_plain_http(1);
    } else if (!response && m_allow_http && code != CURLE_PEER_FAILED_VERIFICATION &&
               code != CURLE_COULDNT_CONNECT && code != CURLE_COULDNT_RESOLVE_HOST) {
        probe.max_attempts = 0;
        response = m_http.run(probe, nullptr, &code);
    }
    if (!response) {
        auto error = std::move(response).error();
        if (code == CURLE_PEER_FAILED_VERIFICATION) {
            error.message += fmt::format(
                "; to trust the registry's CA put it in ~/.docker/certs.d/{}/ca.crt, or pass "
                "--insecure-registry {}",
                m_authority, m_authority);
        }
        return std::unexpected(std::move(error).context("reaching registry " + m_authority));
    }
    const auto scheme_end = response->url.find("://");
    m_base = response->url.substr(0, scheme_end) + "://" + m_authority;
    if (response->status == 401) {
        learn_challenges(*response);
    } else if (response->status == 404) {
        return fail(ErrorCode::network,
                    fmt::format("{} does not serve the registry API (/v2/ answered 404)",
                                sanitize_url(response->url)));
    } else if (response->status >= 400 && response->status != 403) {
        return fail(ErrorCode::network,
                    fmt::format("{} answered {}", sanitize_url(response->url), response->status));
    }
    return {};
}

void RegistrySession::learn_challenges(const HttpResponse& response) {
    std::vector<Challenge> learned;
    for (const auto& value : response.headers_named("www-authenticate")) {
        auto parsed = parse_www_authenticate(value);
        if (parsed) learned.insert(learned.end(), parsed->begin(), parsed->end());
    }
    if (!learned.empty()) m_challenges = std::move(learned);
}

Result<void> RegistrySession::load_credentials() {
    if (m_credentials_loaded) return {};
    m_credentials_loaded = true;
    auto dir = platform::docker_config_dir();
    if (!dir) return {};  // no home: anonymous
    DESKEXT_TRY_ASSIGN(m_credentials, find_credentials({*dir}, m_ref.domain));
    return {};
}

Error RegistrySession::denied(long status) const {
    const std::string how =
        m_credentials ? "with the credentials configured for it (config.json or credential "
                        "helper)"
                      : "without credentials; run docker login " + m_ref.domain +
                            " or add credentials to config.json";
    return Error{ErrorCode::auth, fmt::format("registry {} denied access to {} (HTTP {}) {}",
                                              m_ref.domain, m_ref.path, status, how)};
}

Result<std::string> RegistrySession::fetch_token(const Challenge& challenge) {
    const auto realm = challenge.param("realm");
    if (realm.empty()) {
        return fail(
            ErrorCode::auth,
            fmt::format("registry {} asked for a bearer token without a realm", m_ref.domain));
    }
    const auto service = challenge.param("service");
    DESKEXT_TRY(load_credentials());
    if (m_credentials && !may_send_credentials(realm, m_insecure_registries)) {
        return fail(ErrorCode::auth,
                    fmt::format("registry {} asked for the credentials configured for it to be "
                                "sent to the token server {} over plain HTTP, where anyone on "
                                "the way could read them; refused. If that is intended, pass "
                                "--insecure-registry {}",
                                m_ref.domain, sanitize_url(realm), url_authority(realm)));
    }

    HttpRequest request;
    StringSink sink(max_token_bytes, "the token server's answer");
    if (m_credentials && m_credentials->identity_token) {
        // An identity token is an OAuth2 refresh token (docker login with a token-issuing
        // registry): exchanged with a POST.
        request.method = "POST";
        request.url = realm;
        request.headers.emplace_back("Content-Type: application/x-www-form-urlencoded");
        request.body = "grant_type=refresh_token&client_id=deskext&refresh_token=" +
                       url_escape(m_credentials->secret) + "&service=" + url_escape(service) +
                       "&scope=" + url_escape(m_scope);
    } else {
        request.url = realm + (realm.find('?') == std::string::npos ? "?" : "&") +
                      "service=" + url_escape(service) + "&scope=" + url_escape(m_scope);
        if (m_credentials) {
            request.authorization =
                "Basic " + base64_encode(m_credentials->username + ":" + m_credentials->secret);
        }
    }
    auto response = m_http.run(request, &sink);
    if (!response) {
        return std::unexpected(std::move(response).error().context("fetching a registry token"));
    }
    if (response->status == 401 || response->status == 403)
        return std::unexpected(denied(response->status));
    if (response->status != 200) {
        return fail(ErrorCode::network, fmt::format("the token server {} answered {}",
                                                    sanitize_url(realm), response->status));
    }
    DESKEXT_TRY_ASSIGN(auto token, parse_token_response(sink.take()));
    // Renew a little before the server's expiry, so that a token never dies in flight.
    const auto margin = std::min(std::chrono::seconds(10), token.expires_in / 4);
    m_tokens[m_scope] = {token.value, std::chrono::steady_clock::now() + token.expires_in - margin};
    return token.value;
}

Result<std::string> RegistrySession::authorization(bool renew) {
    const Challenge* bearer = nullptr;
    const Challenge* basic = nullptr;
    for (const auto& c : m_challenges) {
        if (c.scheme == "bearer" && bearer == nullptr) bearer = &c;
        if (c.scheme == "basic" && basic == nullptr) basic = &c;
    }
    if (bearer != nullptr) {
        const auto cached = m_tokens.find(m_scope);
        if (!renew && cached != m_tokens.end() &&
            cached->second.expires > std::chrono::steady_clock::now()) {
            return "Bearer " + cached->second.value;
        }
        DESKEXT_TRY_ASSIGN(auto token, fetch_token(*bearer));
        return "Bearer " + token;
    }
    if (basic != nullptr) {
        DESKEXT_TRY(load_credentials());
        if (!m_credentials) return std::string();
        return "Basic " + base64_encode(m_credentials->username + ":" + m_credentials->secret);
    }
    return std::string();
}

Result<HttpResponse> RegistrySession::get(const std::string& path, std::vector<std::string> headers,
                                          BodySink* sink, bool resumable) {
    DESKEXT_TRY(ensure_endpoint());
    HttpRequest request;
    request.url = m_base + path;
    request.headers = std::move(headers);
    request.resumable = resumable;
    DESKEXT_TRY_ASSIGN(request.authorization, authorization(false));
    DESKEXT_TRY_ASSIGN(auto response, m_http.run(request, sink));
    if (response.status != 401 && response.status != 403) return response;
    // The token may have expired or lack the scope: learn the new challenge, renew once.
    learn_challenges(response);
    const auto before = request.authorization;
    DESKEXT_TRY_ASSIGN(request.authorization, authorization(true));
    if (request.authorization.empty() && before.empty())
        return std::unexpected(denied(response.status));
    DESKEXT_TRY_ASSIGN(response, m_http.run(request, sink));
    if (response.status == 401 || response.status == 403)
        return std::unexpected(denied(response.status));
    return response;
}

std::vector<Result<HttpResponse>> RegistrySession::get_all(const std::vector<BlobJob>& jobs,
                                                           const HttpClient::Watch& watch) {
    const auto refused = [](const Result<HttpResponse>& result) {
        return result && (result->status == 401 || result->status == 403);
    };
    const auto tell = [&](std::size_t job, const Result<HttpResponse>& result) {
        if (watch.finished) watch.finished(job, result);
    };
    std::vector<Result<HttpResponse>> results;
    auto ready = ensure_endpoint();
    std::string auth;
    if (ready) {
        auto got = authorization(false);
        if (got) {
            auth = *got;
        } else {
            ready = std::unexpected(got.error());
        }
    }
    if (!ready) {
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            results.emplace_back(std::unexpected(ready.error()));
            tell(i, results.back());
        }
        return results;
    }
    std::vector<HttpClient::Job> batch;
    batch.reserve(jobs.size());
    for (const auto& job : jobs) {
        HttpRequest request;
        request.url = m_base + job.path;
        request.resumable = true;
        request.authorization = auth;
        batch.push_back({std::move(request), job.sink, 0});
    }
    HttpClient::Watch first_round{[&](std::size_t job, const Result<HttpResponse>& result) {
                                      if (!refused(result)) tell(job, result);
                                  },
                                  watch.stop};
    results = m_http.run_all(batch, first_round);
    // Whatever was refused (an expired token) goes again one by one, with a renewed token.
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        if (!refused(results[i])) continue;
        if (watch.stop.stop_requested()) {
            results[i] = fail(ErrorCode::network, "cancelled");
        } else {
            results[i] = get(jobs[i].path, {}, jobs[i].sink, true);
        }
        tell(i, results[i]);
    }
    return results;
}

}  // namespace deskext::registry
