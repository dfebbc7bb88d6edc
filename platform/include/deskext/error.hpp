#pragma once
// The one error model of deskext: expected failures travel as Result<T> = std::expected<T, Error>.
// An Error's code maps to exactly one exit code of the command-line contract (docs/cli.md).

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace deskext {

enum class ErrorCode {
    internal = 1,              // a bug: an invariant broke
    usage = 2,                 // unknown flag, malformed reference or platform
    not_found = 3,             // no such tag, archive, or installed extension
    no_matching_platform = 4,  // the image has no linux/<arch> variant for this host
    auth = 5,                  // 401/403 after the available credentials
    network = 6,               // DNS, connect, TLS, timeouts, 5xx after retries
    integrity = 7,             // digest or size mismatch, truncated blob
    invalid_extension = 8,     // bad metadata.json, unsafe archive entry, missing binary
    incompatible_api = 9,      // api.version constraint not satisfied
    busy = 10,                 // another deskext holds the lock
    filesystem = 11,           // no space, permission denied, read-only root
    policy = 12,               // the administrator's registries.conf blocks the registry
};

// Stable machine-readable name of a code ("not_found"), used in JSON events.
[[nodiscard]] constexpr std::string_view code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::internal:
            return "internal";
        case ErrorCode::usage:
            return "usage";
        case ErrorCode::not_found:
            return "not_found";
        case ErrorCode::no_matching_platform:
            return "no_matching_platform";
        case ErrorCode::auth:
            return "auth";
        case ErrorCode::network:
            return "network";
        case ErrorCode::integrity:
            return "integrity";
        case ErrorCode::invalid_extension:
            return "invalid_extension";
        case ErrorCode::incompatible_api:
            return "incompatible_api";
        case ErrorCode::busy:
            return "busy";
        case ErrorCode::filesystem:
            return "filesystem";
        case ErrorCode::policy:
            return "policy";
    }
    return "internal";
}

[[nodiscard]] constexpr int exit_code(ErrorCode code) { return static_cast<int>(code); }

struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message;  // what a person can act on; never contains secrets

    // Prefixes the message with where it happened: "reading layer 2: <message>".
    [[nodiscard]] Error context(std::string_view where) && {
        message = std::string(where) + ": " + message;
        return std::move(*this);
    }
};

template <class T>
using Result = std::expected<T, Error>;

[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
    return std::unexpected(Error{code, std::move(message)});
}

}  // namespace deskext

#define DESKEXT_CONCAT_INNER(a, b) a##b
#define DESKEXT_CONCAT(a, b) DESKEXT_CONCAT_INNER(a, b)

// Propagates the error of a Result<void> (or discards the value of a Result<T>).
#define DESKEXT_TRY(expr)                                             \
    do {                                                              \
        if (auto deskext_try_r = (expr); !deskext_try_r)              \
            return std::unexpected(std::move(deskext_try_r).error()); \
    } while (false)

// `DESKEXT_TRY_ASSIGN(auto x, f());` declares x from the value of f() or returns its error.
#define DESKEXT_TRY_ASSIGN(lhs, expr) \
    DESKEXT_TRY_ASSIGN_IMPL(DESKEXT_CONCAT(deskext_try_r_, __LINE__), lhs, expr)
#define DESKEXT_TRY_ASSIGN_IMPL(tmp, lhs, expr)               \
    auto tmp = (expr);                                        \
    if (!tmp) return std::unexpected(std::move(tmp).error()); \
    lhs = std::move(*tmp)
