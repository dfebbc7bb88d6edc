#include "registry/auth.hpp"

#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "deskext/ascii.hpp"
#include "deskext/platform/process.hpp"
#include "deskext/platform/utf8.hpp"
#include "deskext/registry/reference.hpp"

namespace deskext::registry {
namespace {

constexpr std::size_t max_config_bytes = 4u << 20;
constexpr std::size_t max_helper_output = 1u << 20;
constexpr auto helper_timeout = std::chrono::seconds(30);

bool token_char(char c) {
    // RFC 9110 tchar
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~/=").find(c) != std::string_view::npos;
}

// The host part Docker compares config.json keys by: scheme and path dropped
// (docker/cli's ConvertToHostname).
std::string key_hostname(std::string_view key) {
    for (std::string_view prefix : {"http://", "https://"}) {
        if (key.starts_with(prefix)) key.remove_prefix(prefix.size());
    }
    return ascii_lower(key.substr(0, key.find('/')));
}

bool is_docker_hub(std::string_view host) {
    return host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io";
}

bool same_registry(std::string_view key, std::string_view domain) {
    const auto host = key_hostname(key);
    if (is_docker_hub(domain)) return is_docker_hub(host);
    return host == ascii_lower(domain);
}

Result<std::optional<Credentials>> from_helper(const std::string& helper, std::string_view server) {
    const std::string program = "docker-credential-" + helper;
    auto ran = platform::run_helper({program, "get"}, std::string(server), max_helper_output,
                                    helper_timeout);
    if (!ran) {
        // A store configured but not installed (credsStore "desktop" without Docker Desktop)
        // must not block anonymous pulls of public images: no credentials then.
        if (ran.error().code == ErrorCode::not_found) return std::optional<Credentials>();
        return fail(ErrorCode::auth, fmt::format("credential helper {} could not be run: {}",
                                                 program, ran.error().message));
    }
    if (ran->exit_code != 0) {
        // https://github.com/docker/docker-credential-helpers: "credentials not found in native
        // keychain" means there is nothing stored for this server.
        if (ran->out.find("credentials not found") != std::string::npos ||
            ran->err.find("credentials not found") != std::string::npos) {
            return std::optional<Credentials>();
        }
        return fail(ErrorCode::auth, fmt::format("credential helper {} failed (exit {}) for {}",
                                                 program, ran->exit_code, server));
    }
    try {
        const auto json = nlohmann::json::parse(ran->out);
        if (!json.is_object() || !json.contains("Secret") || !json["Secret"].is_string()) {
            return fail(ErrorCode::auth,
                        fmt::format("credential helper {} answered without a Secret", program));
        }
        Credentials creds;
        if (json.contains("Username") && json["Username"].is_string()) {
            creds.username = json["Username"].get<std::string>();
        }
        creds.secret = json["Secret"].get<std::string>();
        // Docker's convention: the user name "<token>" marks an identity token.
        if (creds.username == "<token>") {
            creds.identity_token = true;
            creds.username.clear();
        }
        if (creds.secret.empty()) return std::optional<Credentials>();
        return std::optional<Credentials>(std::move(creds));
    } catch (const nlohmann::json::exception&) {
        return fail(ErrorCode::auth,
                    fmt::format("credential helper {} did not answer with JSON", program));
    }
}

Result<std::optional<Credentials>> from_auths(const nlohmann::json& auths, std::string_view domain,
                                              const std::filesystem::path& file) {
    if (!auths.is_object()) return std::optional<Credentials>();
    // The exact Docker key first, then any key naming the same host.
    const auto exact = credentials_key(domain);
    const nlohmann::json* entry = nullptr;
    if (auths.contains(exact)) entry = &auths[exact];
    for (auto it = auths.begin(); entry == nullptr && it != auths.end(); ++it) {
        if (same_registry(it.key(), domain)) entry = &it.value();
    }
    if (entry == nullptr || !entry->is_object()) return std::optional<Credentials>();
    auto text = [&](const char* name) {
        return entry->contains(name) && (*entry)[name].is_string()
                   ? (*entry)[name].get<std::string>()
                   : std::string();
    };
    Credentials creds;
    if (auto auth = text("auth"); !auth.empty()) {
        auto decoded = base64_decode(auth);
        const auto colon = decoded ? decoded->find(':') : std::string::npos;
        if (!decoded || colon == std::string::npos) {
            return fail(ErrorCode::auth,
                        fmt::format("{}: the \"auth\" entry for {} is not base64 of user:password",
                                    platform::utf8_of(file), domain));
        }
        creds.username = decoded->substr(0, colon);
        creds.secret = decoded->substr(colon + 1);
    } else {
        creds.username = text("username");
        creds.secret = text("password");
    }
    // An identity token wins over a password (docker login with OAuth stores both forms).
    if (auto identity = text("identitytoken"); !identity.empty()) {
        creds.secret = identity;
        creds.identity_token = true;
    }
    if (creds.secret.empty()) return std::optional<Credentials>();
    return std::optional<Credentials>(std::move(creds));
}

}  // namespace

std::string Challenge::param(const std::string& name) const {
    const auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
}

namespace {

std::unexpected<Error> unreadable_header(std::string_view why) {
    return fail(ErrorCode::network,
                fmt::format("unreadable WWW-Authenticate header from the registry: {}", why));
}

// Reads a WWW-Authenticate header (RFC 7235): challenges, each an auth scheme followed by
// comma-separated parameters `name=value` or `name="quoted"`, until the next scheme.
class ChallengeScanner {
public:
    explicit ChallengeScanner(std::string_view header) : m_text(header) {}

    // Skips the commas between challenges; true when nothing is left.
    bool at_end() {
        skip_space();
        while (m_i < m_text.size() && m_text[m_i] == ',') {
            ++m_i;
            skip_space();
        }
        return m_i >= m_text.size();
    }

    Result<Challenge> challenge() {
        const std::string_view scheme = token();
        if (scheme.empty()) return unreadable_header("expected an auth scheme");
        Challenge challenge;
        challenge.scheme = ascii_lower(scheme);
        for (;;) {
            DESKEXT_TRY_ASSIGN(const bool more, parameter(challenge));
            if (!more) return challenge;
        }
    }

private:
    void skip_space() {
        while (m_i < m_text.size() && (m_text[m_i] == ' ' || m_text[m_i] == '\t')) ++m_i;
    }

    std::string_view token() {
        const auto start = m_i;
        while (m_i < m_text.size() && token_char(m_text[m_i]) && m_text[m_i] != '=') ++m_i;
        return m_text.substr(start, m_i - start);
    }

    // One parameter into `challenge`; false, having read nothing, when what follows is not a
    // parameter (a new challenge starts there).
    Result<bool> parameter(Challenge& challenge) {
        skip_space();
        const auto name_start = m_i;
        const std::string_view name = token();
        skip_space();
        if (name.empty() || m_i >= m_text.size() || m_text[m_i] != '=') {
            m_i = name_start;
            return false;
        }
        ++m_i;  // '='
        skip_space();
        std::string value;
        if (m_i < m_text.size() && m_text[m_i] == '"') {
            DESKEXT_TRY_ASSIGN(value, quoted());
        } else {
            const auto value_start = m_i;
            while (m_i < m_text.size() && m_text[m_i] != ',' && m_text[m_i] != ' ') ++m_i;
            value = std::string(m_text.substr(value_start, m_i - value_start));
        }
        challenge.params[ascii_lower(name)] = std::move(value);
        skip_space();
        if (m_i < m_text.size() && m_text[m_i] == ',') ++m_i;
        return true;
    }

    // A quoted string from its opening quote, backslash escapes undone.
    Result<std::string> quoted() {
        std::string value;
        for (++m_i; m_i < m_text.size();) {
            const char c = m_text[m_i++];
            if (c == '"') return value;
            if (c == '\\' && m_i < m_text.size()) {
                value += m_text[m_i++];
            } else {
                value += c;
            }
        }
        return unreadable_header("unterminated quoted string");
    }

    std::string_view m_text;
    std::size_t m_i = 0;
};

}  // namespace

Result<std::vector<Challenge>> parse_www_authenticate(std::string_view header) {
    std::vector<Challenge> challenges;
    ChallengeScanner scanner(header);
    while (!scanner.at_end()) {
        DESKEXT_TRY_ASSIGN(auto challenge, scanner.challenge());
        challenges.push_back(std::move(challenge));
    }
    return challenges;
}

std::string credentials_key(std::string_view registry_domain) {
    if (is_docker_hub(registry_domain)) return std::string(docker_hub_auth_key);
    return std::string(registry_domain);
}

Result<std::optional<Credentials>> find_credentials(const CredentialSource& source,
                                                    std::string_view registry_domain) {
    const auto file = source.config_dir / "config.json";
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return std::optional<Credentials>();
    std::ifstream in(file, std::ios::binary);
    std::string text;
    text.resize(max_config_bytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_config_bytes) {
        return fail(ErrorCode::usage, fmt::format("{} is larger than {} bytes",
                                                  platform::utf8_of(file), max_config_bytes));
    }
    nlohmann::json config;
    try {
        config = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception&) {
        return fail(ErrorCode::usage, fmt::format("{} is not valid JSON", platform::utf8_of(file)));
    }
    if (!config.is_object()) return std::optional<Credentials>();
    const auto server = credentials_key(registry_domain);
    std::string helper;
    if (config.contains("credHelpers") && config["credHelpers"].is_object()) {
        for (auto it = config["credHelpers"].begin(); it != config["credHelpers"].end(); ++it) {
            if (it.value().is_string() && same_registry(it.key(), registry_domain)) {
                helper = it.value().get<std::string>();
            }
        }
    }
    if (helper.empty() && config.contains("credsStore") && config["credsStore"].is_string()) {
        helper = config["credsStore"].get<std::string>();
    }
    if (!helper.empty()) {
        DESKEXT_TRY_ASSIGN(auto found, from_helper(helper, server));
        if (found) return found;
        // Nothing in the store: fall through to auths (docker login --password-stdin may have
        // written there before a store was configured).
    }
    if (!config.contains("auths")) return std::optional<Credentials>();
    return from_auths(config["auths"], registry_domain, file);
}

Result<Token> parse_token_response(std::string_view json_text) {
    try {
        const auto json = nlohmann::json::parse(json_text);
        if (!json.is_object())
            return fail(ErrorCode::auth, "the token server's answer is not a JSON object");
        Token token;
        for (const char* key : {"token", "access_token"}) {
            if (json.contains(key) && json[key].is_string() &&
                !json[key].get<std::string>().empty()) {
                token.value = json[key].get<std::string>();
                break;
            }
        }
        if (token.value.empty())
            return fail(ErrorCode::auth, "the token server's answer has no token");
        if (json.contains("expires_in") && json["expires_in"].is_number_integer()) {
            const auto seconds = json["expires_in"].get<std::int64_t>();
            // The spec: fewer than 60 seconds is taken as 60.
            token.expires_in = std::chrono::seconds(std::max<std::int64_t>(seconds, 60));
        }
        return token;
    } catch (const nlohmann::json::exception&) {
        return fail(ErrorCode::auth, "the token server did not answer with JSON");
    }
}

std::string base64_encode(std::string_view data) {
    static constexpr char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        const auto n = (static_cast<unsigned char>(data[i]) << 16) |
                       (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += table[(n >> 6) & 63];
        out += table[n & 63];
    }
    if (i < data.size()) {
        auto n = static_cast<unsigned>(static_cast<unsigned char>(data[i])) << 16;
        if (i + 1 < data.size())
            n |= static_cast<unsigned>(static_cast<unsigned char>(data[i + 1])) << 8;
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += i + 1 < data.size() ? table[(n >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    auto value = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
    };
    while (!text.empty() && (text.back() == '=' || text.back() == '\n')) text.remove_suffix(1);
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        const int v = value(c);
        if (v < 0) return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xFF);
        }
    }
    return out;
}

}  // namespace deskext::registry
