// `oci:DIR[:TAG]`: an OCI image layout directory.
// https://github.com/opencontainers/image-spec/blob/main/image-layout.md

#include <filesystem>
#include <system_error>
#include <utility>

#include "deskext/platform/utf8.hpp"
#include "source/blob_store.hpp"
#include "source/layout_source.hpp"
#include "source/source_factories.hpp"

namespace deskext::source {

Result<std::unique_ptr<ImageSource>> open_oci_layout(const std::string& dir,
                                                     std::optional<std::string> tag,
                                                     const SourceOptions& options) {
    const auto path = platform::path_from_utf8(dir);
    std::error_code ec;
    const auto status = std::filesystem::status(path, ec);
    if (!std::filesystem::exists(status)) {
        return fail(ErrorCode::not_found, "no such directory: " + dir);
    }
    if (!std::filesystem::is_directory(status)) {
        return fail(ErrorCode::usage, dir + " is not a directory (an OCI layout is one)");
    }
    return open_layout_source(make_directory_store(path), "oci", std::move(tag), options);
}

}  // namespace deskext::source
