#pragma once
// The name of an extension's directory, as Docker Desktop names it: the image repository with
// "docker.io/" dropped and '/' and ':' replaced by '_' (docker/volumes-backup-extension →
// docker_volumes-backup-extension; localhost:5000/acme/ext → localhost_5000_acme_ext).

#include <string>
#include <string_view>

#include "deskext/error.hpp"

namespace deskext {

// From an image name with or without tag or digest ("docker.io/acme/ext:1.0@sha256:…").
// ErrorCode::usage when nothing usable remains or the result has characters a directory name
// may not hold on every OS.
[[nodiscard]] Result<std::string> extension_dir_name(std::string_view image_name);

// The tag of an image name, or "" ("acme/ext:1.0" → "1.0"; "host:5000/ext" → "").
[[nodiscard]] std::string image_tag(std::string_view image_name);

}  // namespace deskext
