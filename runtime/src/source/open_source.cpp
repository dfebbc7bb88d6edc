// open_source(): a SOURCE as written on the command line (docs/cli.md, "Sources") → the image
// source that reads it. Paths may contain ':', so whatever exists on disk wins over splitting.

#include <filesystem>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "deskext/oci/media_types.hpp"
#include "deskext/platform/utf8.hpp"
#include "deskext/source/image_source.hpp"
#include "registry/registry_source.hpp"
#include "source/name_match.hpp"
#include "source/source_factories.hpp"

namespace deskext {
namespace {

using source::TarIndex;

enum class Transport { oci, oci_archive, docker_archive };

struct Located {
    std::string path;
    std::optional<std::string> selector;  // TAG, or NAME:TAG for docker-archive
};

bool path_exists(std::string_view path) {
    std::error_code ec;
    return !path.empty() && std::filesystem::exists(platform::path_from_utf8(path), ec);
}

// Where the drive of a Windows path ends ("C:", "\\?\C:", "\\.\C:"), 0 when it has none. Read the
// same on every OS, like the rest of a SOURCE: the text is the user's, not a path of this host.
std::size_t drive_end(std::string_view path) {
    std::size_t start = 0;
    if (path.starts_with(R"(\\?\)") || path.starts_with(R"(\\.\)")) start = 4;
    const auto letter = start < path.size() ? path[start] : '\0';
    const bool drive = ((letter >= 'a' && letter <= 'z') || (letter >= 'A' && letter <= 'Z')) &&
                       start + 1 < path.size() && path[start + 1] == ':';
    return drive ? start + 2 : 0;
}

// Splits "PATH[:SELECTOR]" (what follows a transport prefix): the whole text when it exists,
// else the shortest existing PATH followed by ':' (a path may contain ':'), else the best guess
// for naming the missing path: PATH:TAG on the last ':' for oci transports, PATH before the
// first ':' for docker-archive (whose NAME:TAG has a ':' of its own).
Located locate(std::string_view rest, Transport transport) {
    if (path_exists(rest)) return {std::string(rest), std::nullopt};
    for (auto colon = rest.find(':'); colon != std::string_view::npos;
         colon = rest.find(':', colon + 1)) {
        const auto prefix = rest.substr(0, colon);
        const auto suffix = rest.substr(colon + 1);
        if (!suffix.empty() && path_exists(prefix)) {
            return {std::string(prefix), std::string(suffix)};
        }
    }
    if (transport == Transport::docker_archive) {
        // Past a Windows drive ("C:\x.tar:NAME:TAG", "\\?\C:\x.tar:NAME:TAG"): its ':' is the
        // path's.
        const auto colon = rest.find(':', drive_end(rest));
        if (colon != std::string_view::npos && colon > 0 && colon + 1 < rest.size()) {
            return {std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
        }
        return {std::string(rest), std::nullopt};
    }
    const auto colon = rest.rfind(':');
    if (colon != std::string_view::npos && colon > 0 &&
        source::looks_like_tag(rest.substr(colon + 1))) {
        return {std::string(rest.substr(0, colon)), std::string(rest.substr(colon + 1))};
    }
    return {std::string(rest), std::nullopt};
}

Result<std::unique_ptr<ImageSource>> open_transport(Transport transport, std::string_view prefix,
                                                    std::string_view rest,
                                                    const SourceOptions& options) {
    if (rest.empty()) {
        return fail(ErrorCode::usage, fmt::format("{} needs a path: {}PATH", prefix, prefix));
    }
    auto located = locate(rest, transport);
    if (!path_exists(located.path)) {
        return fail(ErrorCode::not_found, "no such file or directory: " + located.path);
    }
    if (transport == Transport::oci) {
        return source::open_oci_layout(located.path, std::move(located.selector), options);
    }
    DESKEXT_TRY_ASSIGN(auto index, source::scan_image_archive(located.path, options));
    if (transport == Transport::oci_archive) {
        return source::open_oci_archive(std::move(index), std::move(located.selector), options);
    }
    return source::open_docker_archive(std::move(index), std::move(located.selector), options);
}

// A plain path: the format is told by the content.
Result<std::unique_ptr<ImageSource>> open_detected(const std::string& path,
                                                   const SourceOptions& options) {
    const auto dir = platform::path_from_utf8(path);
    std::error_code ec;
    if (std::filesystem::is_directory(dir, ec)) {
        if (!std::filesystem::is_regular_file(dir / "oci-layout", ec)) {
            return fail(ErrorCode::usage,
                        fmt::format("{} is a directory but not an OCI image layout (no oci-layout "
                                    "file)",
                                    path));
        }
        return source::open_oci_layout(path, std::nullopt, options);
    }
    DESKEXT_TRY_ASSIGN(auto index, source::scan_image_archive(path, options));
    // Docker 25+ `docker save` writes both an OCI layout and manifest.json: the layout wins.
    if (source::holds_oci_layout(index)) {
        return source::open_oci_archive(std::move(index), std::nullopt, options);
    }
    if (index.contains("manifest.json")) {
        return source::open_docker_archive(std::move(index), std::nullopt, options);
    }
    return fail(ErrorCode::usage,
                fmt::format("{} is neither an OCI archive (oci-layout, index.json) nor a docker "
                            "save archive (manifest.json)",
                            path));
}

// Whether a text that names nothing on disk was meant as a path rather than as a registry
// reference: references are never absolute ("/x"; "C:\x", "\\server\x" on Windows), relative
// with ./ or ../, or named like archives.
bool meant_as_path(std::string_view text) {
    if (platform::path_from_utf8(text).has_root_path()) return true;
    if (text.starts_with('.') || text.starts_with('~')) return true;
    for (const std::string_view ext : {".tar", ".tgz", ".tar.gz", ".oci"}) {
        if (text.ends_with(ext)) return true;
    }
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' || c == '/' ||
                        c == ':' || c == '@';
        if (!ok) return true;
    }
    return false;
}

}  // namespace

Result<std::unique_ptr<ImageSource>> open_source(std::string_view text,
                                                 const SourceOptions& options) {
    if (text.empty()) return fail(ErrorCode::usage, "empty SOURCE");
    struct Prefix {
        std::string_view text;
        Transport transport;
    };
    static constexpr Prefix prefixes[] = {
        {"oci:", Transport::oci},
        {"oci-archive:", Transport::oci_archive},
        {"docker-archive:", Transport::docker_archive},
    };
    for (const auto& prefix : prefixes) {
        if (text.starts_with(prefix.text)) {
            return open_transport(prefix.transport, prefix.text, text.substr(prefix.text.size()),
                                  options);
        }
    }
    if (text.starts_with("docker://")) {
        return registry::open_registry_source(text.substr(9), options);
    }
    if (path_exists(text)) return open_detected(std::string(text), options);
    if (meant_as_path(text)) {
        return fail(ErrorCode::not_found, fmt::format("no such file or directory: {}", text));
    }
    return registry::open_registry_source(text, options);
}

Result<void> check_manifest_descriptor(const oci::Descriptor& descriptor, const Limits& limits) {
    if (!media_type::is_index(descriptor.media_type) &&
        !media_type::is_manifest(descriptor.media_type)) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} has media type \"{}\", not an image index or manifest",
                                descriptor.digest.str(), descriptor.media_type));
    }
    if (descriptor.size < 0 ||
        static_cast<std::uint64_t>(descriptor.size) > limits.max_manifest_bytes) {
        return fail(
            ErrorCode::invalid_extension,
            fmt::format("{} is {} bytes, more than the limit of {} for a manifest",
                        descriptor.digest.str(), descriptor.size, limits.max_manifest_bytes));
    }
    return {};
}

Result<std::string> read_small_blob(ImageSource& source, const oci::Descriptor& descriptor,
                                    std::size_t cap) {
    if (descriptor.size < 0 || static_cast<std::uint64_t>(descriptor.size) > cap) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("blob {} is {} bytes, more than the limit of {}",
                                descriptor.digest.str(), descriptor.size, cap));
    }
    DESKEXT_TRY_ASSIGN(auto reader, source.open_blob(descriptor));
    auto text = read_all(*reader, cap);
    if (!text) return std::unexpected(std::move(text).error().context(descriptor.digest.str()));
    return text;
}

}  // namespace deskext
