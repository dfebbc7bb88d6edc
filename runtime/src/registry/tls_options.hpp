#pragma once
// The TLS options of one attempt, from the host's TlsSettings (docs/registry.md, "TLS").

#include <curl/curl.h>

#include <string>

#include "deskext/error.hpp"
#include "registry/http_params.hpp"

namespace deskext::registry {

// `ca_bundle` holds the CAs libcurl reads without copying them: it must outlive the handle.
[[nodiscard]] Result<void> set_tls_options(CURL* easy, const TlsSettings& tls,
                                           std::string& ca_bundle);

}  // namespace deskext::registry
