// ImageSource::open_blob verifies every source's blobs around its open_raw: a source serves
// bytes, and cannot forget to check them (deskext/source/raw_blob.hpp).

#include <catch2/catch.hpp>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "deskext/io/reader.hpp"
#include "deskext/source/image_source.hpp"

using namespace deskext;

namespace {

// Serves `served` for whatever blob it is asked for, as it comes: it checks nothing itself.
class ServingSource final : public ImageSource {
public:
    explicit ServingSource(std::string served) : m_served(std::move(served)) {}
    [[nodiscard]] std::string describe() const override { return "serving"; }
    [[nodiscard]] Result<Document> resolve() override {
        return fail(ErrorCode::not_found, "none");
    }
    [[nodiscard]] Result<Document> fetch_manifest(const oci::Descriptor&) override {
        return fail(ErrorCode::not_found, "none");
    }
    [[nodiscard]] std::optional<std::string> image_name() const override { return std::nullopt; }

    RawBlob::MismatchHook on_mismatch;
    // When set, the bytes are served as a stream verified already, by a VerifyingReader
    // checking them against this (as the blob cache's entries are).
    std::optional<oci::Descriptor> verified_as;

private:
    [[nodiscard]] Result<RawBlob> open_raw(const oci::Descriptor&) override {
        auto bytes = std::make_unique<StringReader>(m_served);
        if (verified_as) {
            return RawBlob(VerifiedStream(std::make_unique<VerifyingReader>(
                               std::move(bytes), verified_as->digest, verified_as->size)),
                           on_mismatch);
        }
        return RawBlob(std::move(bytes), on_mismatch);
    }

    std::string m_served;
};

// Serves the blobs of another source, as a source wrapping one does.
class WrappingSource final : public ImageSource {
public:
    explicit WrappingSource(ImageSource& inner) : m_inner(inner) {}
    [[nodiscard]] std::string describe() const override { return m_inner.describe(); }
    [[nodiscard]] Result<Document> resolve() override { return m_inner.resolve(); }
    [[nodiscard]] Result<Document> fetch_manifest(const oci::Descriptor& d) override {
        return m_inner.fetch_manifest(d);
    }
    [[nodiscard]] std::optional<std::string> image_name() const override { return std::nullopt; }

private:
    [[nodiscard]] Result<RawBlob> open_raw(const oci::Descriptor& descriptor) override {
        return open_raw_of(m_inner, descriptor);
    }
    ImageSource& m_inner;
};

oci::Descriptor descriptor_of(const std::string& bytes) {
    oci::Descriptor descriptor;
    descriptor.media_type = "application/vnd.oci.image.layer.v1.tar";
    descriptor.digest = sha256_of(bytes);
    descriptor.size = std::ssize(bytes);
    return descriptor;
}

Result<std::string> read_blob(ImageSource& source, const oci::Descriptor& descriptor) {
    DESKEXT_TRY_ASSIGN(auto reader, source.open_blob(descriptor));
    return read_all(*reader, 1 << 20);
}

}  // namespace

TEST_CASE("raw blob: a source whose bytes lie is refused by open_blob, the source checking "
          "nothing",
          "[source]") {
    const std::string blob = "the layer the manifest names";
    ServingSource honest(blob);
    CHECK(read_blob(honest, descriptor_of(blob)) == blob);

    ServingSource lying("the layer an attacker serves");
    auto read = read_blob(lying, descriptor_of(blob));
    REQUIRE_FALSE(read);
    CHECK(read.error().code == ErrorCode::integrity);

    // Same size, one byte changed.
    std::string flipped = blob;
    flipped[3] ^= 1;
    ServingSource subtle(flipped);
    read = read_blob(subtle, descriptor_of(blob));
    REQUIRE_FALSE(read);
    CHECK_THAT(read.error().message, Catch::Contains("does not match its digest"));

    // A source serving another's blobs is verified once, all the same.
    WrappingSource wrapping(lying);
    read = read_blob(wrapping, descriptor_of(blob));
    REQUIRE_FALSE(read);
    CHECK(read.error().code == ErrorCode::integrity);
    WrappingSource wrapping_honest(honest);
    CHECK(read_blob(wrapping_honest, descriptor_of(blob)) == blob);
}

TEST_CASE("raw blob: a stream verified already is taken only for the blob it is verified as",
          "[source]") {
    const std::string blob = "config bytes";
    ServingSource verified(blob);
    verified.verified_as = descriptor_of(blob);
    CHECK(read_blob(verified, descriptor_of(blob)) == blob);

    // Its own digest checks out, but it is not the blob asked for.
    ServingSource other("other bytes");
    other.verified_as = descriptor_of("other bytes");
    auto opened = other.open_blob(descriptor_of(blob));
    REQUIRE_FALSE(opened);
    CHECK(opened.error().code == ErrorCode::internal);
}

TEST_CASE("raw blob: a mismatch is handed to the source's hook once, its error kept",
          "[source]") {
    const std::string blob = "cached layer";
    int calls = 0;
    for (const bool verified : {false, true}) {
        ServingSource damaged("cached layeR");
        if (verified) damaged.verified_as = descriptor_of(blob);
        damaged.on_mismatch = [&calls](Error error) {
            ++calls;
            return std::move(error).context("the cached copy is damaged and was removed");
        };
        auto reader = damaged.open_blob(descriptor_of(blob));
        REQUIRE(reader);
        auto read = read_all(**reader, 1 << 20);
        REQUIRE_FALSE(read);
        CHECK(read.error().code == ErrorCode::integrity);
        CHECK_THAT(read.error().message, Catch::StartsWith("the cached copy is damaged"));
        std::array<std::byte, 8> buffer{};
        auto again = (*reader)->read(buffer);
        REQUIRE_FALSE(again);
        CHECK(again.error().message == read.error().message);
    }
    CHECK(calls == 2);

    ServingSource good(blob);
    good.on_mismatch = [&calls](Error error) {
        ++calls;
        return error;
    };
    CHECK(read_blob(good, descriptor_of(blob)) == blob);
    CHECK(calls == 2);
}
