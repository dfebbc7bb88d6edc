#pragma once
// Where an image comes from: a registry, an OCI layout directory, an OCI archive or a
// `docker save` archive. The installer only ever speaks to this interface.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "deskext/io/reader.hpp"
#include "deskext/layer/entry_list.hpp"
#include "deskext/layer/layer_progress.hpp"
#include "deskext/limits.hpp"
#include "deskext/oci/models.hpp"
#include "deskext/source/raw_blob.hpp"

namespace deskext {

// A JSON document as read from a source, with what the source says it is.
struct Document {
    std::string media_type;  // index or manifest media type
    std::string bytes;       // raw bytes, capped by Limits::max_manifest_bytes
    Digest digest;           // sha256 of bytes
};

// Ends a fetch started by ImageSource::prefetch when it goes out of scope.
class PrefetchScope {
public:
    PrefetchScope() = default;
    explicit PrefetchScope(std::function<void()> end) : m_end(std::move(end)) {}
    PrefetchScope(PrefetchScope&& other) noexcept : m_end(std::exchange(other.m_end, nullptr)) {}
    PrefetchScope& operator=(PrefetchScope&&) = delete;
    PrefetchScope(const PrefetchScope&) = delete;
    PrefetchScope& operator=(const PrefetchScope&) = delete;
    ~PrefetchScope() {
        if (m_end) m_end();
    }

private:
    std::function<void()> m_end;
};

class ImageSource {
public:
    virtual ~ImageSource() = default;

    // How the source is shown to people and in events (no credentials, ever).
    [[nodiscard]] virtual std::string describe() const = 0;

    // The top-level document the source's tag points at: an index / manifest list, or a single
    // manifest. Verified against its descriptor where the source has one.
    [[nodiscard]] virtual Result<Document> resolve() = 0;

    // A manifest named by a descriptor of the index; verified against it (digest, size, media
    // type) and capped.
    [[nodiscard]] virtual Result<Document> fetch_manifest(const oci::Descriptor& descriptor) = 0;

    // A blob (config or layer) as a stream that verifies digest and size while it is read
    // (VerifyingReader). The bytes are trustworthy only once the stream has returned 0. Not
    // virtual: the verification is done here, around the source's open_raw, so that no source
    // can leave it out.
    [[nodiscard]] Result<std::unique_ptr<Reader>> open_blob(const oci::Descriptor& descriptor);

    // The image name the source carries, for naming the extension directory:
    // io.containerd.image.name / RepoTags / the registry reference. Empty when none.
    [[nodiscard]] virtual std::optional<std::string> image_name() const = 0;

    // The name of the selected entry in an OCI layout's index.json
    // (org.opencontainers.image.ref.name, often a bare tag); none for other sources. `export`
    // falls back to it for images that carry no image_name().
    [[nodiscard]] virtual std::optional<std::string> ref_name() const { return std::nullopt; }

    // The entry headers of a layer as recorded the last time it was read whole and verified
    // (the registry source keeps them beside the blob in its cache), so that a layer holding
    // nothing an install needs is not read at all; nullopt when none are recorded (the default).
    [[nodiscard]] virtual std::optional<layer::EntryList> layer_entries(
        const oci::Descriptor& layer) {
        (void)layer;
        return std::nullopt;
    }

    // Records what layer_entries gives back. Called only with every entry of a layer that was
    // just read whole and matched its digest; best effort (the default keeps nothing).
    virtual void keep_layer_entries(const oci::Descriptor& layer, const layer::EntryList& entries) {
        (void)layer;
        (void)entries;
    }

    // How many failures of blobs read through open_blob a later open_blob or prefetch may not
    // meet again: a local copy (the registry source's cache file) found damaged and removed, or
    // a registry mirror that served bytes not matching their digest, which is not asked again.
    // The default has neither.
    [[nodiscard]] virtual std::size_t refetchable_failures() const { return 0; }

    // The registry mirrors that served any of what was read, as configured (docs/registry.md,
    // "Mirrors and blocked registries"); none for other sources (the default).
    [[nodiscard]] virtual std::vector<std::string> mirrors_used() const { return {}; }

    // Starts fetching the given blobs that are not local yet (the registry source downloads
    // them concurrently into the blob cache, on a thread of its own) and returns at once:
    // open_blob of one of them then reads it while it arrives. `progress` reports per blob, by
    // its index in `blobs`, from that thread, until the returned scope ends; ending it stops
    // whatever is still being fetched and waits for it. Sources that read local files need
    // nothing: the default does nothing.
    [[nodiscard]] virtual Result<PrefetchScope> prefetch(const std::vector<oci::Descriptor>& blobs,
                                                         layer::ProgressFn progress) {
        (void)blobs;
        (void)progress;
        return PrefetchScope();
    }

protected:
    // The blob's bytes as the source has them, unchecked, or a stream verified already
    // (RawBlob); open_blob verifies the first. Errors: not_found when the source lacks it.
    [[nodiscard]] virtual Result<RawBlob> open_raw(const oci::Descriptor& descriptor) = 0;

    // The raw blob of another source, for a source that serves that one's blobs: verified once,
    // by the open_blob of the source that serves it.
    [[nodiscard]] static Result<RawBlob> open_raw_of(ImageSource& other,
                                                     const oci::Descriptor& descriptor) {
        return other.open_raw(descriptor);
    }
};

struct SourceOptions {
    Limits limits;
    // --insecure-registry HOST[:PORT]: plain HTTP or unverified TLS allowed for these registries.
    std::vector<std::string> insecure_registries;
    // The blob cache; empty: $DESKEXT_CACHE_DIR, else the OS default (docs/registry.md).
    std::filesystem::path cache_dir;
    // --timeout SECONDS: the deadline of each registry request, its retries included; a blob
    // gets five times as long for each attempt (docs/registry.md, "Time limits").
    std::chrono::seconds request_timeout{60};
    // --registries-conf FILE: the only registries.conf read; empty: $DESKEXT_REGISTRIES_CONF,
    // else the system's and the user's (docs/registry.md, "Mirrors and blocked registries").
    std::filesystem::path registries_conf;
};

// Opens a SOURCE as written on the command line (docs/cli.md, "Sources"): `oci:PATH[:TAG]`,
// `oci-archive:PATH[:TAG]`, `docker-archive:PATH[:NAME:TAG]`, `docker://REF` or a bare registry
// reference, or a plain path whose format is detected from its content.
// Errors: usage (malformed), not_found (no such path or tag).
[[nodiscard]] Result<std::unique_ptr<ImageSource>> open_source(std::string_view source,
                                                               const SourceOptions& options);

// Checks a descriptor a source is asked to fetch as a manifest: an index or manifest media type
// and a size within Limits::max_manifest_bytes (ErrorCode::invalid_extension otherwise).
[[nodiscard]] Result<void> check_manifest_descriptor(const oci::Descriptor& descriptor,
                                                     const Limits& limits);

// Reads a small blob (config) whole, verified and capped.
[[nodiscard]] Result<std::string> read_small_blob(ImageSource& source,
                                                  const oci::Descriptor& descriptor,
                                                  std::size_t cap);

}  // namespace deskext
