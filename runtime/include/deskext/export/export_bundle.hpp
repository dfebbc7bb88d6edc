#pragma once
// `deskext export`: images from any source into one offline bundle, an OCI archive (a tar of an
// OCI image layout) that `install oci-archive:FILE:REF` (or `install FILE` for a single image)
// reads on a machine with no registry access. docs/cli.md, "export".

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "deskext/digest.hpp"
#include "deskext/events/event_sink.hpp"
#include "deskext/platform/platform.hpp"
#include "deskext/source/image_source.hpp"

namespace deskext {

struct ExportOptions {
    std::vector<std::string> sources;  // SOURCE texts, as for install
    std::filesystem::path output;
    // Host platforms (as --platform everywhere): keep only the image variants linux/<arch>
    // they need. Empty: every entry of each image's index, attestations included.
    std::vector<platform::Platform> hosts;
    SourceOptions source_options;
};

struct ExportedImage {
    std::string source;      // describe() of the source
    std::string ref_name;    // org.opencontainers.image.ref.name in the bundle's index.json
    std::string image_name;  // io.containerd.image.name (fully qualified); empty when unknown
    Digest digest;           // of the document the bundle's index.json entry points at
    std::string media_type;
    std::vector<std::string> platforms;  // image variants, "linux/amd64"
    std::size_t blobs = 0;               // blobs written for this image (shared ones once)
};

struct ExportOutcome {
    std::vector<ExportedImage> images;
    std::size_t blobs = 0;   // in the bundle
    std::int64_t bytes = 0;  // size of the bundle file
};

// Opens every source, copies what each image needs (verifying every blob while it is copied)
// into a temporary file next to `output`, and renames it onto `output` at the end. Emits
// "started", "progress" (phases "download" for registry sources, "export") and one "exported"
// per image. On any error nothing is left at `output`'s name (an existing file stays as it was).
[[nodiscard]] Result<ExportOutcome> export_bundle(const ExportOptions& options, EventSink& events);

// The name an image gets in a bundle: the image name people use ("acme/ext:1.0" for Docker Hub
// images, "registry:5000/acme/ext:1.0" otherwise) and its fully qualified form, from the name
// a source carries (registry reference, RepoTags, io.containerd.image.name).
struct BundleNames {
    std::string ref_name;
    std::string image_name;
};
[[nodiscard]] BundleNames bundle_names(const std::string& image_name);

}  // namespace deskext
