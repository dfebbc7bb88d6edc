#pragma once
// The one place a URL is made fit for a message, an event or a log (docs/architecture.md): user
// info, query strings (pre-signed blob URLs carry tokens there) and fragments are dropped.

#include <string>
#include <string_view>

namespace deskext::registry {

// "https://user:pw@host/v2/x/blobs/sha256:…?X-Amz-Signature=…" → "https://host/v2/x/blobs/sha256:…"
[[nodiscard]] std::string sanitize_url(std::string_view url);

}  // namespace deskext::registry
