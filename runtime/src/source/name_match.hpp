#pragma once
// How a NAME[:TAG] given on the command line is matched against the names archives carry
// (RepoTags, io.containerd.image.name), which Docker writes with or without its implicit
// "docker.io/" and "library/" parts.

#include <string>
#include <string_view>

namespace deskext::source {

// "docker.io/library/foo:1" and "foo:1" → "foo:1"; "docker.io/acme/x:1" → "acme/x:1".
[[nodiscard]] std::string short_image_name(std::string_view name);

// Appends ":latest" when `name` has no tag (a ':' after the last '/') and no digest.
[[nodiscard]] std::string with_default_tag(std::string_view name);

// Whether two image names denote the same repository and tag.
[[nodiscard]] bool same_image_name(std::string_view a, std::string_view b);

// Whether two image names denote the same extension and tag, whatever registry host either
// names (docs/cli.md, "Extension identity"): "127.0.0.1:5000/acme/ext:1" and "acme/ext:1".
// Archives are searched with same_image_name first, then with this.
[[nodiscard]] bool same_extension_tag(std::string_view a, std::string_view b);

// Whether `text` can be a tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
[[nodiscard]] bool looks_like_tag(std::string_view text);

}  // namespace deskext::source
