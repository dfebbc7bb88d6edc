// ImageSource over the OCI distribution API: manifests by tag or digest, blobs through the
// shared blob cache.
// https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pull

#include "registry/registry_source.hpp"

#include <algorithm>
#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <stop_token>
#include <thread>

#include <fmt/format.h>

#include "cache/blob_cache.hpp"
#include "cache/layer_index.hpp"
#include "cache/manifest_store.hpp"
#include "deskext/oci/media_types.hpp"
#include "deskext/platform/paths.hpp"
#include "deskext/registry/reference.hpp"
#include "registry/arriving_blob.hpp"
#include "registry/endpoints.hpp"
#include "registry/url_sanitizer.hpp"

namespace deskext::registry {
namespace {

// The manifest types deskext reads, the multi-platform ones first. Schema 1 is not asked for.
const std::string accept_header =
    fmt::format("Accept: {}, {}, {}, {}", media_type::oci_index, media_type::docker_manifest_list,
                media_type::oci_manifest, media_type::docker_manifest);

std::string content_type_of(const HttpResponse& response) {
    auto value = response.header("content-type");
    value = value.substr(0, value.find(';'));
    while (!value.empty() && value.back() == ' ') value.pop_back();
    return value;
}

// Feeds a blob into a cache writer, tells its reader how far the file is written and reports
// progress.
class CacheSink final : public BodySink {
public:
    CacheSink(cache::BlobWriter writer, std::size_t index, std::int64_t total,
              const layer::ProgressFn& progress)
        : m_writer(std::move(writer)),
          m_index(index),
          m_total(total),
          m_progress(progress),
          m_arriving(std::make_shared<ArrivingBlob>()) {}

    [[nodiscard]] Result<void> write(std::string_view chunk) override {
        DESKEXT_TRY(m_writer.write(chunk));
        m_arriving->wrote(m_writer.bytes_in_file());
        report();
        return {};
    }
    [[nodiscard]] Result<void> restart() override { return m_writer.restart(); }
    [[nodiscard]] std::int64_t size() const override { return m_writer.size(); }
    // Whether the blob matched its digest; its reader may end as soon as it did, before the
    // cache entry is flushed and in place (commit).
    [[nodiscard]] Result<void> verify() { return m_writer.verify(); }
    [[nodiscard]] Result<void> commit() { return m_writer.commit(); }
    [[nodiscard]] const std::filesystem::path& file() const { return m_writer.temp_path(); }
    [[nodiscard]] const std::shared_ptr<ArrivingBlob>& arriving() const { return m_arriving; }
    void report() {
        if (m_progress) m_progress({m_index, m_writer.size(), m_total});
    }

private:
    cache::BlobWriter m_writer;
    std::size_t m_index;
    std::int64_t m_total;
    const layer::ProgressFn& m_progress;
    std::shared_ptr<ArrivingBlob> m_arriving;
};

// The blobs of one download that the cache lacks: a sink each, and how each download ended.
struct DownloadBatch {
    layer::ProgressFn progress;  // the sinks refer to it
    std::vector<oci::Descriptor> blobs;
    std::vector<std::unique_ptr<CacheSink>> sinks;
    std::vector<Result<void>> outcomes;
};

class RegistrySource final : public ImageSource {
public:
    // `endpoints`: the plan of the pull (pull_plan.hpp); the image is named by `reference`
    // whichever of them serves it.
    RegistrySource(Reference reference, std::vector<Endpoint> endpoints,
                   const SourceOptions& options)
        : m_reference(std::move(reference)),
          m_endpoints(std::move(endpoints), options),
          m_limits(options.limits),
          m_cache_override(options.cache_dir) {}

    [[nodiscard]] std::string describe() const override {
        return "docker://" + m_reference.to_string();
    }

    [[nodiscard]] std::optional<std::string> image_name() const override {
        return m_reference.to_string();
    }

    [[nodiscard]] std::vector<std::string> mirrors_used() const override {
        return m_endpoints.mirrors_used();
    }

    [[nodiscard]] Result<Document> resolve() override {
        auto document = first_answer([&](std::size_t e) {
            const auto& ref = m_endpoints.endpoint(e).reference;
            return fetch_document(e, ref.manifest_ref(), ref.digest, std::nullopt);
        });
        if (!document) return std::unexpected(std::move(document).error().context(describe()));
        return document;
    }

    [[nodiscard]] Result<Document> fetch_manifest(const oci::Descriptor& descriptor) override {
        DESKEXT_TRY(check_manifest_descriptor(descriptor, m_limits));
        if (auto cached = cached_manifest(descriptor)) return std::move(*cached);
        DESKEXT_TRY_ASSIGN(
            auto document, first_answer([&](std::size_t e) -> Result<Document> {
                DESKEXT_TRY_ASSIGN(auto fetched, fetch_document(e, descriptor.digest.str(),
                                                                descriptor.digest, descriptor));
                if (static_cast<std::int64_t>(fetched.bytes.size()) != descriptor.size) {
                    return fail(ErrorCode::integrity,
                                fmt::format("manifest {} is {} bytes, its descriptor says {}",
                                            descriptor.digest.str(), fetched.bytes.size(),
                                            descriptor.size));
                }
                return fetched;
            }));
        // Best effort: without it the next install asks the registry again.
        if (auto cache = blob_cache())
            (void)cache::write_manifest(**cache, descriptor.digest, document.bytes);
        return document;
    }

    [[nodiscard]] std::size_t refetchable_failures() const override {
        return m_damaged_removed + m_endpoints.distrusted();
    }

    [[nodiscard]] std::optional<layer::EntryList> layer_entries(
        const oci::Descriptor& layer) override {
        auto cache = blob_cache();
        if (!cache) return std::nullopt;
        return cache::read_layer_index(**cache, layer.digest, m_limits);
    }

    void keep_layer_entries(const oci::Descriptor& layer,
                            const layer::EntryList& entries) override {
        // Best effort: without it the next install reads the layer again.
        if (auto cache = blob_cache())
            (void)cache::write_layer_index(**cache, layer.digest, entries);
    }

    [[nodiscard]] Result<PrefetchScope> prefetch(const std::vector<oci::Descriptor>& blobs,
                                                 layer::ProgressFn progress) override {
        end_background(true);
        DESKEXT_TRY_ASSIGN(auto batch, plan_download(blobs, std::move(progress)));
        if (batch->sinks.empty()) return PrefetchScope();
        for (std::size_t i = 0; i < batch->sinks.size(); ++i) {
            const auto& sink = *batch->sinks[i];
            DESKEXT_TRY_ASSIGN(auto file, open_file_reader(sink.file()));
            const auto& blob = batch->blobs[i];
            m_arriving.insert_or_assign(blob.digest,
                                        Arriving{sink.arriving(), std::move(file), blob.size});
        }
        // The session is the download's until end_background() joined it.
        m_background = std::jthread([this, batch = std::move(batch)](std::stop_token stop) {
            (void)run_download(*batch, stop);
        });
        return PrefetchScope([this] { end_background(true); });
    }

    ~RegistrySource() override { end_background(true); }
    RegistrySource(const RegistrySource&) = delete;
    RegistrySource& operator=(const RegistrySource&) = delete;
    RegistrySource(RegistrySource&&) = delete;
    RegistrySource& operator=(RegistrySource&&) = delete;

private:
    // A blob being downloaded is read as it arrives (once; a later open reads the cache entry),
    // verified by the download; a cache entry is verified as it is read, and removed when it
    // turns out damaged (it changed since it was committed) so that the next open fetches it.
    [[nodiscard]] Result<RawBlob> open_raw(const oci::Descriptor& descriptor) override {
        if (descriptor.size < 0) {
            return fail(ErrorCode::invalid_extension,
                        fmt::format("{} has a negative size", descriptor.digest.str()));
        }
        if (auto arriving = m_arriving.find(descriptor.digest);
            arriving != m_arriving.end() && arriving->second.size == descriptor.size) {
            auto stream = ArrivingBlob::verified_stream(arriving->second.blob,
                                                        std::move(arriving->second.file),
                                                        descriptor.digest, descriptor.size);
            m_arriving.erase(arriving);
            return RawBlob(std::move(stream));
        }
        DESKEXT_TRY_ASSIGN(auto* cache, blob_cache());
        DESKEXT_TRY_ASSIGN(const bool present, cache->has(descriptor.digest, descriptor.size));
        if (!present) {
            end_background(false);
            DESKEXT_TRY(download_now(descriptor));
        }
        DESKEXT_TRY_ASSIGN(auto entry, cache->open_entry(descriptor.digest, descriptor.size));
        return RawBlob(VerifiedStream(std::move(entry)),
                       [this, cache, digest = descriptor.digest](Error error) {
                           return remove_damaged(*cache, digest, std::move(error));
                       });
    }

    // A blob of the background download, until open_blob takes it.
    struct Arriving {
        std::shared_ptr<ArrivingBlob> blob;
        std::unique_ptr<Reader> file;  // over the file being written
        std::int64_t size = 0;
    };

    // Waits for the background download (stopping it first when `cancel`); the session is free
    // again afterwards.
    void end_background(bool cancel) {
        if (m_background.joinable()) {
            if (cancel) m_background.request_stop();
            m_background.join();
        }
        m_arriving.clear();
    }

    // A cache entry found damaged while it was read: removed, and said so.
    Error remove_damaged(cache::BlobCache& cache, const Digest& digest, Error error) {
        ++m_damaged_removed;
        cache.remove(digest);
        auto path = cache.path_of(digest);
        return std::move(error).context(
            fmt::format("the cached copy {} is damaged and was removed",
                        path ? path->string() : digest.str()));
    }

    RegistrySession& session(std::size_t endpoint) {
        end_background(false);
        return m_endpoints.session(endpoint);
    }

    // `attempt(endpoint)` at each endpoint in turn until one succeeds; a mirror that fails is
    // passed over for the next (one whose content did not match its digest for good), and the
    // origin's error, when it fails too, says what the mirrors answered.
    template <class Attempt>
    auto first_answer(Attempt attempt) -> decltype(attempt(std::size_t{})) {
        std::string mirrors;
        const auto order = m_endpoints.order();
        for (std::size_t k = 0;; ++k) {
            const auto e = order[k];
            auto result = attempt(e);
            if (result) {
                m_endpoints.answered(e);
                return result;
            }
            if (result.error().code == ErrorCode::integrity) m_endpoints.distrust(e);
            if (k + 1 == order.size()) {
                if (!mirrors.empty())
                    result.error().message += " (mirrors asked first: " + mirrors + ")";
                return result;
            }
            mirrors += fmt::format("{}{}: {}", mirrors.empty() ? "" : "; ",
                                   m_endpoints.endpoint(e).location, result.error().message);
        }
    }

    Result<cache::BlobCache*> blob_cache() {
        if (!m_cache) {
            DESKEXT_TRY_ASSIGN(auto dir, platform::cache_dir(m_cache_override));
            DESKEXT_TRY_ASSIGN(auto opened, cache::BlobCache::open(std::move(dir)));
            m_cache = std::make_unique<cache::BlobCache>(std::move(opened));
        }
        return m_cache.get();
    }

    std::string blob_path(std::size_t endpoint, const Digest& digest) const {
        return "/v2/" + m_endpoints.endpoint(endpoint).reference.path + "/blobs/" + digest.str();
    }

    // GETs a manifest by tag or digest and checks it: Content-Type against the body's own
    // mediaType (and against the descriptor, when there is one), digest when fetched by digest
    // and against Docker-Content-Digest when the registry sends it, size against the cap.
    Result<Document> fetch_document(std::size_t endpoint, const std::string& ref,
                                    const std::optional<Digest>& expected,
                                    const std::optional<oci::Descriptor>& descriptor) {
        const auto& reference = m_endpoints.endpoint(endpoint).reference;
        StringSink sink(m_limits.max_manifest_bytes, "manifest " + ref);
        DESKEXT_TRY_ASSIGN(auto response,
                           session(endpoint).get("/v2/" + reference.path + "/manifests/" + ref,
                                                 {accept_header}, &sink));
        if (response.status == 404) {
            return fail(ErrorCode::not_found,
                        fmt::format("{} has no manifest {} (no such tag or digest)",
                                    reference.repository(), ref));
        }
        if (response.status != 200) {
            return fail(ErrorCode::network,
                        fmt::format("{} answered {} for manifest {}", sanitize_url(response.url),
                                    response.status, ref));
        }
        auto bytes = sink.take();
        const auto digest = sha256_of(bytes);
        if (expected && digest != *expected) {
            return fail(ErrorCode::integrity,
                        fmt::format("manifest {} from {} does not match its digest (got {})",
                                    expected->str(), reference.domain, digest.str()));
        }
        if (const auto header = response.header("docker-content-digest"); !header.empty()) {
            auto claimed = Digest::parse(header);
            if (claimed && *claimed != digest) {
                return fail(ErrorCode::integrity,
                            fmt::format("manifest {} from {}: Docker-Content-Digest says {}, the "
                                        "body hashes to {}",
                                        ref, reference.domain, claimed->str(), digest.str()));
            }
        }
        const auto content_type = content_type_of(response);
        if (content_type == media_type::docker_manifest_v1 ||
            content_type == media_type::docker_manifest_v1_signed) {
            return fail(
                ErrorCode::invalid_extension,
                fmt::format("{}:{} is a Docker schema 1 image, which deskext does not read; "
                            "push it again with a current docker or buildx",
                            reference.repository(), ref));
        }
        return typed_document(std::move(bytes), digest, content_type, ref, descriptor);
    }

    // A manifest fetched by digest before, from the blob cache; nullopt when there is none, or
    // one that no longer passes the checks of a fetched one (it is removed then).
    std::optional<Document> cached_manifest(const oci::Descriptor& descriptor) {
        auto cache = blob_cache();
        if (!cache) return std::nullopt;
        auto bytes = cache::read_manifest(**cache, descriptor.digest, m_limits.max_manifest_bytes);
        if (!bytes) return std::nullopt;
        if (static_cast<std::int64_t>(bytes->size()) == descriptor.size) {
            if (auto document = typed_document(std::move(*bytes), descriptor.digest, "",
                                               descriptor.digest.str(), descriptor))
                return std::move(*document);
        }
        cache::remove_manifest(**cache, descriptor.digest);
        return std::nullopt;
    }

    // The checks of a manifest's body, whatever brought it: its type is what the body says it is
    // (which refuses schema 1 too), and a Content-Type naming a known type must agree with it
    // (CVE-2021-41190), as must the descriptor that named it; it parses within the limits.
    Result<Document> typed_document(std::string bytes, const Digest& digest,
                                    std::string_view content_type, const std::string& ref,
                                    const std::optional<oci::Descriptor>& descriptor) {
        DESKEXT_TRY_ASSIGN(auto body_type, oci::detect_document_type(bytes));
        const bool known_header =
            media_type::is_index(content_type) || media_type::is_manifest(content_type);
        std::string type = known_header ? std::string(content_type) : body_type;
        if (known_header && content_type != body_type) {
            return fail(ErrorCode::invalid_extension,
                        fmt::format("manifest {} is served as {} but says it is {}", ref,
                                    content_type, body_type));
        }
        if (descriptor && descriptor->media_type != type) {
            return fail(ErrorCode::invalid_extension,
                        fmt::format("manifest {} is {}, its descriptor says {}", ref, type,
                                    descriptor->media_type));
        }
        if (media_type::is_index(type)) {
            DESKEXT_TRY(oci::parse_index(bytes, type, m_limits));
        } else {
            DESKEXT_TRY(oci::parse_manifest(bytes, type, m_limits));
        }
        return Document{std::move(type), std::move(bytes), digest};
    }

    // The blobs of `blobs` the cache lacks, each once, with a cache writer; progress reports
    // the others as complete at once.
    Result<std::unique_ptr<DownloadBatch>> plan_download(const std::vector<oci::Descriptor>& blobs,
                                                         layer::ProgressFn progress) {
        DESKEXT_TRY_ASSIGN(auto* cache, blob_cache());
        auto batch = std::make_unique<DownloadBatch>();
        batch->progress = std::move(progress);
        std::set<Digest> seen;
        for (std::size_t i = 0; i < blobs.size(); ++i) {
            const auto& blob = blobs[i];
            if (blob.size < 0) {
                return fail(ErrorCode::invalid_extension,
                            fmt::format("{} has a negative size", blob.digest.str()));
            }
            if (!seen.insert(blob.digest).second) continue;
            DESKEXT_TRY_ASSIGN(const bool present, cache->has(blob.digest, blob.size));
            if (present) {
                if (batch->progress) batch->progress({i, blob.size, blob.size});
                continue;
            }
            DESKEXT_TRY_ASSIGN(auto writer, cache->begin(blob.digest, blob.size));
            batch->sinks.push_back(
                std::make_unique<CacheSink>(std::move(writer), i, blob.size, batch->progress));
            batch->sinks.back()->report();
            batch->blobs.push_back(blob);
        }
        return batch;
    }

    // A blob the cache lacks, fetched before open_blob reads it. A mirror caught serving wrong
    // bytes is not asked again, and the blob is fetched once more from the endpoints after it.
    Result<void> download_now(const oci::Descriptor& descriptor) {
        while (true) {
            const auto distrusted = m_endpoints.distrusted();
            DESKEXT_TRY_ASSIGN(auto batch, plan_download({descriptor}, nullptr));
            auto done = run_download(*batch, {});
            if (done || done.error().code != ErrorCode::integrity ||
                m_endpoints.distrusted() == distrusted)
                return done;
        }
    }

    // Fetches the batch, concurrently, into the cache; each blob's reader learns how its
    // download ended as soon as it has. A blob a mirror fails to serve is asked of the next
    // endpoint; the first failure, in the order of the batch. Foreign layers' `urls` are never
    // followed: the blob is asked of the registry like any other.
    Result<void> run_download(DownloadBatch& batch, std::stop_token stop) {
        batch.outcomes.assign(batch.sinks.size(), Result<void>());
        std::vector<std::size_t> pending(batch.sinks.size());
        for (std::size_t i = 0; i < pending.size(); ++i) pending[i] = i;
        const auto order = m_endpoints.order();
        for (std::size_t k = 0; k < order.size() && !pending.empty(); ++k) {
            pending = download_from(batch, order[k], pending, k + 1 == order.size(), stop);
        }
        // Flushed and put in place only once every download ended: a flush waits for the disk,
        // and on this thread it would hold up the downloads still running.
        for (std::size_t i = 0; i < batch.outcomes.size(); ++i) {
            if (!batch.outcomes[i]) continue;
            if (auto committed = batch.sinks[i]->commit(); !committed) {
                batch.outcomes[i] = std::unexpected(std::move(committed).error().context(
                    fmt::format("blob from {}", m_reference.domain)));
            }
        }
        for (auto& outcome : batch.outcomes) DESKEXT_TRY(std::move(outcome));
        return {};
    }

    // The GETs of the batch's blobs `wanted` from one endpoint. Returns those to ask the next
    // endpoint: what this one, not the last, failed to serve for a reason other than content
    // that did not match its digest (those bytes may have been read: the install starts over,
    // refetchable_failures()). The others' outcomes are final and their readers told.
    std::vector<std::size_t> download_from(DownloadBatch& batch, std::size_t endpoint,
                                           const std::vector<std::size_t>& wanted, bool last,
                                           std::stop_token stop) {
        std::vector<RegistrySession::BlobJob> jobs;
        for (const auto i : wanted)
            jobs.push_back({blob_path(endpoint, batch.blobs[i].digest), batch.sinks[i].get()});
        std::vector<std::size_t> next;
        HttpClient::Watch watch{[&](std::size_t job, const Result<HttpResponse>& response) {
                                    const auto i = wanted[job];
                                    auto outcome = check_blob(batch, i, response, endpoint);
                                    if (outcome) m_endpoints.answered(endpoint);
                                    if (!outcome && outcome.error().code == ErrorCode::integrity)
                                        m_endpoints.distrust(endpoint);
                                    if (!outcome && !last && !stop.stop_requested() &&
                                        outcome.error().code != ErrorCode::integrity) {
                                        if (auto again = batch.sinks[i]->restart(); again) {
                                            next.push_back(i);
                                            return;
                                        }
                                    }
                                    batch.outcomes[i] = std::move(outcome);
                                    batch.sinks[i]->arriving()->finish(batch.outcomes[i]);
                                },
                                stop};
        (void)m_endpoints.session(endpoint).get_all(jobs, watch);
        return next;
    }

    // Checks how the GET of the batch's blob `i` ended and that the blob matched its digest.
    Result<void> check_blob(DownloadBatch& batch, std::size_t i,
                            const Result<HttpResponse>& response, std::size_t endpoint) {
        const auto& blob = batch.blobs[i];
        const auto& reference = m_endpoints.endpoint(endpoint).reference;
        if (!response)
            return std::unexpected(
                Error(response.error()).context("fetching blob " + blob.digest.str()));
        const auto status = response->status;
        if (status == 404) {
            return fail(
                ErrorCode::not_found,
                fmt::format("{} has no blob {}{}", reference.repository(), blob.digest.str(),
                            blob.urls.empty() ? ""
                                              : " (a foreign layer: its urls are not "
                                                "followed)"));
        }
        if (status != 200 && status != 206) {
            return fail(ErrorCode::network,
                        fmt::format("{} answered {} for blob {}", sanitize_url(response->url),
                                    status, blob.digest.str()));
        }
        auto verified = batch.sinks[i]->verify();
        if (!verified) {
            return std::unexpected(
                std::move(verified).error().context(fmt::format("blob from {}", reference.domain)));
        }
        return {};
    }

    Reference m_reference;
    Endpoints m_endpoints;
    Limits m_limits;
    std::filesystem::path m_cache_override;
    std::unique_ptr<cache::BlobCache> m_cache;
    std::atomic<std::size_t> m_damaged_removed = 0;  // layers are read on several threads
    std::map<Digest, Arriving> m_arriving;
    std::jthread m_background;  // declared last: joined before the members it uses go
};

}  // namespace

Result<std::unique_ptr<ImageSource>> open_registry_source(std::string_view reference,
                                                          const SourceOptions& options) {
    DESKEXT_TRY_ASSIGN(auto parsed, Reference::parse(reference));
    DESKEXT_TRY_ASSIGN(const auto config, load_mirror_config(options.registries_conf));
    DESKEXT_TRY_ASSIGN(auto endpoints, plan_pull(parsed, config));
    return std::unique_ptr<ImageSource>(
        std::make_unique<RegistrySource>(std::move(parsed), std::move(endpoints), options));
}

}  // namespace deskext::registry
