#pragma once
// The table of contents of an uncompressed tar file: where each member's data lies, so that a
// member can be read in place (open_file_reader over a byte range) without unpacking the tar.
// Used by the oci-archive and docker-archive sources, and to detect a plain file's format.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "deskext/error.hpp"

struct archive_entry;

namespace deskext::source {

struct TarMember {
    std::int64_t offset = 0;  // of the member's data in the tar file
    std::int64_t size = 0;
};

class TarIndex {
public:
    // Scans the headers of the tar at `path` (UTF-8, as given on the command line) once (data is
    // skipped, not read). Fails with not_found when the file is missing, usage when the tar is
    // compressed (not supported: decompress first) and invalid_extension when it is not a tar
    // or is truncated. `max_members` caps the number of headers read, `max_name_bytes` the
    // length of a name.
    [[nodiscard]] static Result<TarIndex> scan(const std::string& path, std::size_t max_members,
                                               std::size_t max_name_bytes = 4096);

    // The regular file named `name` ("./" prefixes ignored), following symbolic and hard links
    // inside the archive; none when absent.
    [[nodiscard]] std::optional<TarMember> find(std::string_view name) const;
    [[nodiscard]] bool contains(std::string_view name) const { return find(name).has_value(); }

    // Reads a member whole, failing with invalid_extension past `cap` bytes and not_found when
    // it is absent.
    [[nodiscard]] Result<std::string> read(std::string_view name, std::size_t cap) const;

    // The tar as given (UTF-8, for messages), and the file it names.
    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] const std::filesystem::path& file() const { return m_file; }

    // "./a//b" → "a/b"; the form members are recorded and looked up in.
    [[nodiscard]] static std::string normalize(std::string_view name);

private:
    // Records one member's header (the data starting at `data_offset`) under `name`.
    void record(const std::string& name, archive_entry* entry, std::int64_t data_offset);

    std::string m_path;
    std::filesystem::path m_file;
    std::map<std::string, TarMember, std::less<>> m_files;
    std::map<std::string, std::string, std::less<>> m_links;  // name → normalised target
};

}  // namespace deskext::source
