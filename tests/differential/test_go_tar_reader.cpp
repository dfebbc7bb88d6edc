// deskext reads layers as Docker and containerd do (Go's archive/tar, applied as containerd's
// applier applies a layer): every tar of Go's archive/tar test data and of Python's tarfile test
// data, as a layer compressed with gzip, zstd and not at all, gives the same listing (names,
// types, modes, bytes, link targets) in deskext-layer-listing as in go-layer-listing, or is
// refused by both. deskext install of an image with that layer over a good extension layer
// then installs, or exits 8 naming the layer, as the listing said.

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "deskext/limits.hpp"
#include "fixtures/process.hpp"
#include "fixtures/temp_dir.hpp"
#include "sandbox.hpp"

using namespace deskext;
using namespace deskext::hostile;
namespace fs = std::filesystem;

namespace {

constexpr int k_content = 8;  // ErrorCode::invalid_extension

// What one side made of a layer.
struct Listing {
    int exit_code = 0;
    std::string out;
};

// The tars of a test-data directory: *.tar and their compressed forms, by name.
std::vector<fs::path> tars_in(const fs::path& dir) {
    INFO("test data directory " << dir << " (packaging/install-deps.sh installs it)");
    REQUIRE(fs::is_directory(dir));
    std::vector<fs::path> tars;
    for (const auto& entry : fs::directory_iterator(dir)) {
        const std::string name = entry.path().filename().string();
        if (name.ends_with(".tar") || name.find(".tar.") != std::string::npos)
            tars.push_back(entry.path());
    }
    std::sort(tars.begin(), tars.end());
    return tars;
}

// The data deskext refuses as a decompression bomb: over the ratio cap past its threshold.
std::int64_t cap_for(std::size_t blob_size) {
    const Limits limits;
    const std::int64_t ratio_cap =
        limits.max_compression_ratio * (static_cast<std::int64_t>(blob_size) + 1) - 1;
    return std::min(limits.max_uncompressed_bytes, std::max<std::int64_t>(ratio_cap, 1 << 20));
}

Listing go_listing(const fs::path& plain_tar, std::size_t blob_size) {
    const auto run = fixtures::run_process(
        {DESKEXT_GO_LISTING, "-cap", std::to_string(cap_for(blob_size)), plain_tar.string()});
    INFO(run.err);
    REQUIRE((run.exit_code == 0 || run.exit_code == 2 || run.exit_code == 3));
    return {run.exit_code, run.out};
}

Listing deskext_listing(const fs::path& layout) {
    const auto run =
        fixtures::run_process({DESKEXT_LAYER_LISTING, "oci:" + layout.string() + ":" + k_tag});
    INFO(run.err);
    return {run.exit_code, run.out};
}

// One tar as one layer with one compression: both listings agree, and so does the install.
void check_layer(const std::string& name, const std::string& plain, const fs::path& plain_file,
                 TarCompression compression) {
    Sandbox box;
    const RawLayer layer{fixtures::compress(plain, compression),
                         fixtures::layer_media_type(compression)};
    const Listing go = go_listing(plain_file, layer.blob.size());
    const Listing ours = deskext_listing(box.image(name, {layer}));
    INFO("go-layer-listing (exit " << go.exit_code << "):\n" << go.out);
    INFO("deskext-layer-listing (exit " << ours.exit_code << "):\n" << ours.out);
    if (go.exit_code == 0) {
        CHECK(ours.exit_code == 0);
        CHECK(ours.out == go.out);
    } else {
        CHECK(ours.exit_code == k_content);
        CHECK_THAT(ours.out, Catch::Contains("layer 0"));
        if (go.exit_code == 3) CHECK_THAT(ours.out, Catch::Contains("decompression bomb"));
    }
    const auto run = box.install(box.image(name + "-over-good", {raw_layer(good_layer(),
                                                                           compression),
                                                                 layer}));
    if (go.exit_code == 0) {
        INFO(run.err);
        CHECK(run.exit_code == 0);
        box.check_sentinel();
    } else {
        box.check_refused(run, k_content, {"layer 1"});
    }
}

void check_all(const fs::path& dir) {
    fixtures::TempDir work("deskext-go-tar-");
    for (const fs::path& tar : tars_in(dir)) {
        const std::string name = tar.filename().string();
        const std::string plain = fixtures::decompress_file(tar.string());
        const fs::path plain_file = work.path() / (name + ".plain");
        std::ofstream(plain_file, std::ios::binary) << plain;
        for (const auto compression :
             {TarCompression::none, TarCompression::gzip, TarCompression::zstd}) {
            INFO(tar << " as a layer " << fixtures::layer_media_type(compression));
            check_layer(name, plain, plain_file, compression);
        }
    }
}

}  // namespace

TEST_CASE("Go's archive/tar test data reads as Go reads it", "[differential][tar]") {
    check_all(DESKEXT_GO_TAR_TESTDATA);
}

TEST_CASE("Python's tarfile test data reads as Go reads it", "[differential][tar]") {
    check_all(DESKEXT_PYTHON_TAR_TESTDATA);
}
