#pragma once
// The stage of every hostile-input case: an extensions root that sits inside a sentinel
// directory full of things an escaping archive would like to touch (files, a directory that links
// point at, a symlink, an executable), a good install of the extension made first, and the checks
// that follow every case: the sentinel byte-for-byte unchanged (content, mode, type, link
// target), the previous install intact, nothing left behind in the root.

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "extension_fixture.hpp"
#include "fixtures/files.hpp"
#include "fixtures/oci_layout.hpp"
#include "fixtures/tar_builder.hpp"
#include "fixtures/temp_dir.hpp"

namespace deskext::hostile {

using fixtures::TarCompression;
using fixtures::TarEntry;

// The extension's name in the root (--name) and the tag every case image carries.
inline constexpr const char* k_name = "hostile";
inline constexpr const char* k_tag = "1.0";

// metadata.json of the good extension: icon, UI root, one binary per host OS.
[[nodiscard]] std::string good_metadata();
// The layer every case image starts from: a complete, valid extension.
[[nodiscard]] std::vector<TarEntry> good_layer(const std::string& metadata = good_metadata());

// One layer blob as it goes into a manifest.
struct RawLayer {
    std::string blob;
    std::string media_type;
};
[[nodiscard]] RawLayer raw_layer(const std::vector<TarEntry>& entries,
                                 TarCompression compression = TarCompression::gzip);

// Path → "type mode content-hash link-target" for everything under `dir` (the root excluded when
// given), read with lstat so links are never followed.
[[nodiscard]] std::map<std::string, std::string> snapshot(
    const std::filesystem::path& dir, const std::filesystem::path& excluded = {});

class Sandbox {
public:
    Sandbox();

    [[nodiscard]] const std::filesystem::path& sentinel() const { return m_sentinel; }
    [[nodiscard]] const std::filesystem::path& root() const { return m_root; }
    // A directory of the sentinel that hostile links point at.
    [[nodiscard]] std::filesystem::path target_area() const { return m_sentinel / "target-area"; }

    // A new OCI layout (outside the sentinel) for case `name`, single platform linux/amd64
    // behind an index tagged k_tag: `layers` are written as they are.
    [[nodiscard]] std::filesystem::path image(const std::string& name,
                                              const std::vector<RawLayer>& layers);
    // The good layer with `extra` layers of entries on top.
    [[nodiscard]] std::filesystem::path image_over_good(
        const std::string& name, const std::vector<std::vector<TarEntry>>& extra,
        TarCompression compression = TarCompression::gzip);
    // A writer for a layout the case builds by hand (nested indexes, huge documents).
    [[nodiscard]] std::filesystem::path layout_dir(const std::string& name) const;

    // `deskext install oci:<layout>:1.0 --name hostile --root <root> --platform <host> --json
    // <extra>`: every case runs as Docker Desktop runs deskext, its events on stdout.
    [[nodiscard]] testing::Run install(const std::filesystem::path& layout,
                                       const std::vector<std::string>& extra = {},
                                       const std::string& host = "linux/amd64") const;

    // The same for any source (a registry reference), with `env` added (DOCKER_CONFIG, the
    // blob cache).
    [[nodiscard]] testing::Run install_source(const std::string& source,
                                              const std::map<std::string, std::string>& env,
                                              const std::vector<std::string>& extra = {}) const;

    // The case was refused with `exit_code`, its last event is the `error` event of that exit
    // code (docs/events.md), whose message names every one of `needles`, and nothing changed:
    // sentinel, previous install, root.
    void check_refused(const testing::Run& run, int exit_code,
                       const std::vector<std::string>& needles) const;
    // Only the sentinel and the root's hygiene (for cases that install successfully).
    void check_sentinel() const;

    // The installed extension directory.
    [[nodiscard]] std::filesystem::path installed() const { return m_root / k_name; }

private:
    fixtures::TempDir m_dir{"deskext-hostile-"};
    fixtures::TempDir m_home{"deskext-hostile-home-"};
    std::filesystem::path m_sentinel;
    std::filesystem::path m_root;
    std::filesystem::path m_images;
    std::map<std::string, std::string> m_sentinel_before;
    std::map<std::string, std::string> m_installed_before;
    std::vector<std::string> m_root_names_before;
};

using fixtures::names_in;

}  // namespace deskext::hostile
