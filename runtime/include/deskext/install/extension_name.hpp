#pragma once
// An extension's identity and the name of its directory (docs/cli.md, "Extension identity").
//
// An extension is identified by its repository path, whatever registry, mirror or archive it
// came from: the image name without its registry host, tag or digest, and without Docker Hub's
// implicit "library/" (127.0.0.1:5000/acme/ext:1.0, localhost/acme/ext and acme/ext are all
// acme/ext; docker.io/library/ext is ext). Its directory is that path with '/' replaced by '_',
// as Docker Desktop names it (docker/volumes-backup-extension → docker_volumes-backup-extension).

#include <optional>
#include <string>
#include <string_view>

#include "deskext/error.hpp"

namespace deskext {

// From an image name with or without host, tag or digest ("docker.io/acme/ext:1.0@sha256:…").
// ErrorCode::usage when nothing usable remains or the result has characters a directory name
// may not hold on every OS.
[[nodiscard]] Result<std::string> extension_identity(std::string_view image_name);

// The directory of extension_identity(image_name): acme/ext → acme_ext.
[[nodiscard]] Result<std::string> extension_dir_name(std::string_view image_name);

// The directory deskext named an extension after before identities dropped the registry host:
// "127.0.0.1:5000/acme/ext" → "127.0.0.1_5000_acme_ext", "docker.io/library/ext" →
// "library_ext". Nullopt when no directory could have had that name.
[[nodiscard]] std::optional<std::string> former_extension_dir_name(std::string_view image_name);

// The tag of an image name, or "" ("acme/ext:1.0" → "1.0"; "host:5000/ext" → "").
[[nodiscard]] std::string image_tag(std::string_view image_name);

}  // namespace deskext
