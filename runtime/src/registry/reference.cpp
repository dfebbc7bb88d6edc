// Docker's reference grammar, written out by hand (no regex engine on untrusted input):
//   reference  := name [ ":" tag ] [ "@" digest ]
//   name       := [domain '/'] remote-name
//   domain     := host [':' port-number]; host := domain-name | IPv4 | '[' IPv6 ']'
//   path-component := alpha-numeric (separator alpha-numeric)*;  separator := [_.] | "__" | "-"+
//   tag        := [\w][\w.-]{0,127}
// https://github.com/distribution/reference/blob/main/reference.go

#include "deskext/registry/reference.hpp"

#include <fmt/format.h>

namespace deskext::registry {
namespace {

constexpr std::size_t max_name_length = 255;

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool word(char c) { return alnum(c) || c == '_'; }

bool valid_path_component(std::string_view c) {
    if (c.empty() || !lower_alnum(c.front()) || !lower_alnum(c.back())) return false;
    for (std::size_t i = 0; i < c.size();) {
        if (lower_alnum(c[i])) {
            ++i;
            continue;
        }
        // A separator: ".", "_", "__" or a run of "-"; always followed by an alpha-numeric.
        std::size_t j = i;
        if (c[i] == '.') {
            j = i + 1;
        } else if (c[i] == '_') {
            j = (i + 1 < c.size() && c[i + 1] == '_') ? i + 2 : i + 1;
        } else if (c[i] == '-') {
            while (j < c.size() && c[j] == '-') ++j;
        } else {
            return false;
        }
        if (j >= c.size() || !lower_alnum(c[j])) return false;
        i = j;
    }
    return true;
}

bool valid_domain_component(std::string_view c) {
    if (c.empty() || !alnum(c.front()) || !alnum(c.back())) return false;
    for (char ch : c) {
        if (!alnum(ch) && ch != '-') return false;
    }
    return true;
}

bool valid_domain(std::string_view domain) {
    if (domain.empty()) return false;
    std::string_view host = domain;
    std::string_view port;
    if (domain.front() == '[') {
        const auto close = domain.find(']');
        if (close == std::string_view::npos || close < 3) return false;
        for (char ch : domain.substr(1, close - 1)) {
            const bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
                             (ch >= 'A' && ch <= 'F') || ch == ':' || ch == '.';
            if (!hex) return false;
        }
        const auto rest = domain.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return false;
            port = rest.substr(1);
            if (port.empty()) return false;
        }
        host = {};
    } else if (const auto colon = domain.find(':'); colon != std::string_view::npos) {
        host = domain.substr(0, colon);
        port = domain.substr(colon + 1);
        if (port.empty()) return false;
    }
    for (char ch : port) {
        if (ch < '0' || ch > '9') return false;
    }
    while (!host.empty()) {
        const auto dot = host.find('.');
        if (!valid_domain_component(host.substr(0, dot))) return false;
        if (dot == std::string_view::npos) break;
        host.remove_prefix(dot + 1);
        if (host.empty()) return false;
    }
    return true;
}

bool valid_tag(std::string_view tag) {
    if (tag.empty() || tag.size() > 128 || !word(tag.front())) return false;
    for (char c : tag) {
        if (!word(c) && c != '.' && c != '-') return false;
    }
    return true;
}

bool has_upper(std::string_view text) {
    for (char c : text) {
        if (c >= 'A' && c <= 'Z') return true;
    }
    return false;
}

std::unexpected<Error> invalid(std::string_view text, std::string_view why) {
    return fail(ErrorCode::usage, fmt::format("invalid reference \"{}\": {}", text, why));
}

// Takes "@DIGEST" and then ":TAG" off the end of `name` into `ref`.
Result<void> take_tag_and_digest(std::string_view text, std::string_view& name, Reference& ref) {
    if (const auto at = name.find('@'); at != std::string_view::npos) {
        auto digest = Digest::parse(name.substr(at + 1));
        if (!digest) return invalid(text, "malformed digest (expected sha256:<64 hex>)");
        ref.digest = *std::move(digest);
        name = name.substr(0, at);
    }
    // A ':' after the last '/' starts the tag; one before it belongs to the domain's port.
    const auto slash = name.rfind('/');
    const auto colon = name.rfind(':');
    if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash))
        return {};
    const auto tag = name.substr(colon + 1);
    if (!valid_tag(tag)) {
        return invalid(text, fmt::format("malformed tag \"{}\" (letters, digits, '_', '.', "
                                         "'-', up to 128, not starting with '.' or '-')",
                                         tag));
    }
    ref.tag = std::string(tag);
    name = name.substr(0, colon);
    return {};
}

// splitDockerDomain: the first component is a domain when it has a '.' or a ':', is
// "localhost", or has an upper-case letter (which no path component may have). Returns the
// path after it; ref.domain is Docker Hub's when there is none.
std::string_view take_domain(std::string_view name, Reference& ref) {
    std::string_view remainder = name;
    const auto first_slash = name.find('/');
    if (first_slash != std::string_view::npos) {
        const auto first = name.substr(0, first_slash);
        if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
            has_upper(first)) {
            ref.domain = std::string(first);
            remainder = name.substr(first_slash + 1);
        }
    }
    if (ref.domain.empty() || ref.domain == "index.docker.io")
        ref.domain = std::string(docker_hub_domain);
    return remainder;
}

Result<void> check_path(std::string_view text, std::string_view path) {
    if (has_upper(path)) return invalid(text, "repository name must be lowercase");
    for (std::string_view rest = path;;) {
        const auto next = rest.find('/');
        if (!valid_path_component(rest.substr(0, next))) {
            return invalid(text, fmt::format("malformed repository path component \"{}\"",
                                             rest.substr(0, next)));
        }
        if (next == std::string_view::npos) return {};
        rest.remove_prefix(next + 1);
    }
}

}  // namespace

Result<Reference> Reference::parse(std::string_view text) {
    if (text.empty()) return invalid(text, "empty");
    Reference ref;
    std::string_view name = text;
    DESKEXT_TRY(take_tag_and_digest(text, name, ref));
    if (name.empty()) return invalid(text, "no repository name");
    const std::string_view remainder = take_domain(name, ref);
    if (!valid_domain(ref.domain)) {
        return invalid(text, fmt::format("malformed registry host \"{}\"", ref.domain));
    }
    DESKEXT_TRY(check_path(text, remainder));
    ref.path = std::string(remainder);
    if (ref.domain == docker_hub_domain && ref.path.find('/') == std::string::npos) {
        ref.path = "library/" + ref.path;
    }
    // As Docker does, the limit applies to the normalised name (docker.io/library/…), so every
    // name accepted here parses again from its full form.
    if (ref.repository().size() > max_name_length) {
        return invalid(text,
                       fmt::format("repository name longer than {} characters", max_name_length));
    }
    if (ref.tag.empty() && !ref.digest) ref.tag = "latest";
    return ref;
}

std::string Reference::repository() const { return domain + "/" + path; }

std::string Reference::to_string() const {
    std::string out = repository();
    if (!tag.empty()) out += ":" + tag;
    if (digest) out += "@" + digest->str();
    return out;
}

std::string Reference::api_host() const {
    return domain == docker_hub_domain ? std::string(docker_hub_api_host) : domain;
}

std::string Reference::manifest_ref() const { return digest ? digest->str() : tag; }

}  // namespace deskext::registry
