#include "registry/arriving_blob.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "fixtures/temp_dir.hpp"

using deskext::ErrorCode;
using deskext::registry::ArrivingBlob;
using deskext::registry::read_arriving;

namespace {

// Appends to the file and tells the blob, as the download's cache writer does.
struct Download {
    std::filesystem::path path;
    std::shared_ptr<ArrivingBlob> blob = std::make_shared<ArrivingBlob>();
    std::int64_t written = 0;
    void write(const std::string& bytes) {
        std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
        written += static_cast<std::int64_t>(bytes.size());
        blob->wrote(written);
    }
};

}  // namespace

TEST_CASE("arriving blob: read while written, ended only by a verified download",
          "[registry][arriving]") {
    deskext::fixtures::TempDir tmp;
    Download download{tmp / "blob"};
    download.write("");
    auto file = deskext::open_file_reader(download.path.string());
    REQUIRE(file);
    auto reader = read_arriving(download.blob, std::move(*file));

    std::jthread writer([&] {
        for (int i = 0; i < 50; ++i) {
            download.write(std::string(1000, static_cast<char>('a' + i % 26)));
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        // The reader may be at the end of what was written: it must wait for the outcome.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        download.blob->finish({});
    });
    auto text = deskext::read_all(*reader, 1 << 20);
    REQUIRE(text);
    REQUIRE(text->size() == 50000);
    for (int i = 0; i < 50; ++i)
        CHECK(text->at(static_cast<std::size_t>(i) * 1000) == static_cast<char>('a' + i % 26));
}

TEST_CASE("arriving blob: a failed download fails the read, even with bytes left to read",
          "[registry][arriving]") {
    deskext::fixtures::TempDir tmp;
    Download download{tmp / "blob"};
    download.write("unverified bytes");
    download.blob->finish(deskext::fail(ErrorCode::integrity, "blob x does not match its digest"));
    auto file = deskext::open_file_reader(download.path.string());
    REQUIRE(file);
    auto reader = read_arriving(download.blob, std::move(*file));
    auto text = deskext::read_all(*reader, 1 << 20);
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::integrity);
    CHECK(text.error().message.find("does not match its digest") != std::string::npos);
    // Only the first outcome counts.
    download.blob->finish({});
    CHECK_FALSE(download.blob->wait_beyond(0));
}
