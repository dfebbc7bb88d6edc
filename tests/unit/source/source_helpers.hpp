#pragma once
// Shared by the image-source tests: a two-platform extension image in an OCI layout, the real
// skopeo to convert it to the other offline formats, and helpers to drain and corrupt.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "deskext/io/reader.hpp"
#include "deskext/oci/media_types.hpp"
#include "deskext/oci/models.hpp"
#include "deskext/source/image_source.hpp"
#include "fixtures/oci_layout.hpp"
#ifndef _WIN32
#include "fixtures/process.hpp"
#endif
#include "fixtures/tar_builder.hpp"
#include "fixtures/temp_dir.hpp"

namespace deskext::test {

inline fixtures::ImageVariant variant(const std::string& arch) {
    fixtures::ImageVariant v;
    v.architecture = arch;
    v.layers = {
        {fixtures::dir("ui"), fixtures::file("metadata.json", R"({"ui":{}})"),
         fixtures::file("ui/index.html", "<html>" + arch + "</html>")},
        {fixtures::dir("host"), fixtures::file("host/tool", std::string(70000, 'x') + arch, 0755)},
    };
    v.labels = {{"org.opencontainers.image.title", "Example"}};
    return v;
}

// An OCI layout at `dir` with one index over linux/amd64 and linux/arm64, tagged `tag`.
inline void write_two_platform_layout(
    const std::filesystem::path& dir, const std::string& tag = "1.0",
    fixtures::TarCompression compression = fixtures::TarCompression::gzip) {
    auto amd64 = variant("amd64");
    auto arm64 = variant("arm64");
    amd64.compression = compression;
    arm64.compression = compression;
    fixtures::write_multi_arch_image(dir, tag, {amd64, arm64});
}

// Runs the real skopeo (which must be installed) with --insecure-policy; REQUIREs success.
// On Windows it fails: the process fixture runs programs on the Linux side only, so the test
// cases using it are tagged [posix].
inline void skopeo(std::vector<std::string> args) {
#ifdef _WIN32
    FAIL("skopeo is run on Linux only: " << args.size() << " arguments");
#else
    const auto program = fixtures::find_program("skopeo");
    INFO("skopeo is needed by this test and must be installed");
    REQUIRE_FALSE(program.empty());
    std::vector<std::string> argv{program, "--insecure-policy"};
    argv.insert(argv.end(), args.begin(), args.end());
    // skopeo reads its registries and policy configuration from HOME: never the real one.
    const fixtures::TempDir home("deskext-skopeo-home-");
    const auto result = fixtures::run_process(argv, {{"HOME", home.path().string()}});
    INFO("skopeo stderr: " << result.err);
    REQUIRE(result.exit_code == 0);
#endif
}

inline std::unique_ptr<ImageSource> must_open(const std::string& text) {
    auto source = open_source(text, SourceOptions{});
    INFO(text << ": " << (source ? std::string("ok") : source.error().message));
    REQUIRE(source.has_value());
    return std::move(*source);
}

inline ErrorCode open_error(const std::string& text, std::string* message = nullptr) {
    auto source = open_source(text, SourceOptions{});
    INFO(text);
    REQUIRE_FALSE(source.has_value());
    if (message != nullptr) *message = source.error().message;
    return source.error().code;
}

// Opens and reads a whole blob; the result is its size, or the error of the read (a blob
// longer than described is the verifying reader's to report).
inline Result<std::int64_t> drain_blob(ImageSource& source, const oci::Descriptor& d) {
    DESKEXT_TRY_ASSIGN(auto reader, source.open_blob(d));
    DESKEXT_TRY_ASSIGN(
        const auto bytes,
        read_all(*reader, static_cast<std::size_t>(std::max<std::int64_t>(d.size, 0)) + 1));
    return static_cast<std::int64_t>(bytes.size());
}

// Opens every config and layer of a manifest and drains it (verifying its digest).
inline void drain_image(ImageSource& source, const oci::Manifest& manifest) {
    const auto config = drain_blob(source, manifest.config);
    INFO("config " << manifest.config.digest.str()
                   << (config ? std::string() : ": " + config.error().message));
    REQUIRE(config.has_value());
    CHECK(*config == manifest.config.size);
    for (const auto& layer : manifest.layers) {
        const auto drained = drain_blob(source, layer);
        INFO("layer " << layer.digest.str()
                      << (drained ? std::string() : ": " + drained.error().message));
        REQUIRE(drained.has_value());
        CHECK(*drained == layer.size);
    }
}

inline oci::Manifest parse_manifest_document(const Document& document) {
    auto manifest = oci::parse_manifest(document.bytes, document.media_type);
    INFO((manifest ? std::string() : manifest.error().message));
    REQUIRE(manifest.has_value());
    return *manifest;
}

inline oci::Index parse_index_document(const Document& document) {
    auto index = oci::parse_index(document.bytes, document.media_type);
    INFO((index ? std::string() : index.error().message));
    REQUIRE(index.has_value());
    return *index;
}

// Resolves a multi-platform source: checks the index has linux/amd64 and linux/arm64 and drains
// every manifest's config and layers.
inline void check_two_platform_source(ImageSource& source) {
    auto document = source.resolve();
    INFO((document ? std::string() : document.error().message));
    REQUIRE(document.has_value());
    REQUIRE(media_type::is_index(document->media_type));
    CHECK(document->digest == sha256_of(document->bytes));
    const auto index = parse_index_document(*document);
    REQUIRE(index.manifests.size() == 2);
    std::vector<std::string> archs;
    for (const auto& entry : index.manifests) {
        REQUIRE(entry.platform.has_value());
        CHECK(entry.platform->os == "linux");
        archs.push_back(entry.platform->arch);
        auto manifest_document = source.fetch_manifest(entry);
        INFO((manifest_document ? std::string() : manifest_document.error().message));
        REQUIRE(manifest_document.has_value());
        const auto manifest = parse_manifest_document(*manifest_document);
        CHECK(manifest.layers.size() == 2);
        drain_image(source, manifest);
    }
    std::sort(archs.begin(), archs.end());
    CHECK(archs == std::vector<std::string>{"amd64", "arm64"});
}

// Flips one byte of a file in place.
inline void flip_byte(const std::filesystem::path& file, std::int64_t offset) {
    std::fstream io(file, std::ios::in | std::ios::out | std::ios::binary);
    REQUIRE(io.good());
    io.seekg(offset);
    char c = 0;
    io.get(c);
    io.seekp(offset);
    io.put(static_cast<char>(c ^ 0x5a));
    REQUIRE(io.good());
}

inline void write_bytes(const std::filesystem::path& file, const std::string& data) {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    REQUIRE(out.good());
}

inline std::string read_bytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace deskext::test

namespace deskext::test {

// The files under `dir` as tar entries named "<prefix><relative path>", sorted.
inline std::vector<fixtures::TarEntry> entries_of(const std::filesystem::path& dir,
                                                  const std::string& prefix = {}) {
    std::vector<fixtures::TarEntry> entries;
    for (const auto& item : std::filesystem::recursive_directory_iterator(dir)) {
        const auto name = prefix + std::filesystem::relative(item.path(), dir).generic_string();
        if (item.is_directory()) {
            entries.push_back(fixtures::dir(name));
        } else {
            entries.push_back(fixtures::file(name, read_bytes(item.path())));
        }
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto& a, const auto& b) { return a.name < b.name; });
    return entries;
}

}  // namespace deskext::test
