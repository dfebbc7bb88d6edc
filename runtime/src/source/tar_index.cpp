#include "source/tar_index.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "archive/archive_read_handle.hpp"
#include "deskext/io/reader.hpp"
#include "deskext/platform/file.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::source {
namespace {

// Links inside an archive may chain (docker save dedups layers with symlinks); a loop or a
// chain longer than this is treated as absent.
constexpr int max_link_hops = 16;

std::string archive_message(archive* handle) {
    const char* text = archive_error_string(handle);
    return text != nullptr ? text : "unknown libarchive error";
}

// The directory part of a normalised member name ("a/b" → "a", "b" → "").
std::string_view parent_of(std::string_view name) {
    const auto slash = name.rfind('/');
    return slash == std::string_view::npos ? std::string_view{} : name.substr(0, slash);
}

// libarchive reads the tar through platform::File: its own open by name would take the name in
// the ANSI code page on Windows. Member data is skipped by moving the offset, never read.
class TarFileClient {
public:
    TarFileClient(platform::File file, std::int64_t size) : m_file(std::move(file)), m_size(size) {}

    static la_ssize_t read(archive* a, void* client, const void** out) {
        auto* self = static_cast<TarFileClient*>(client);
        auto n = self->m_file.read_at(self->m_buffer, self->m_offset);
        if (!n) {
            archive_set_error(a, EIO, "%s", n.error().message.c_str());
            return ARCHIVE_FATAL;
        }
        *out = self->m_buffer.data();
        self->m_offset += static_cast<std::int64_t>(*n);
        return static_cast<la_ssize_t>(*n);
    }

    // Never past the end: libarchive then reads what is left and reports a member cut short,
    // instead of taking the end of the file for the end of the archive.
    static la_int64_t skip(archive*, void* client, la_int64_t request) {
        auto* self = static_cast<TarFileClient*>(client);
        const la_int64_t skipped =
            std::max<la_int64_t>(0, std::min<la_int64_t>(request, self->m_size - self->m_offset));
        self->m_offset += skipped;
        return skipped;
    }

private:
    platform::File m_file;
    std::int64_t m_size;
    std::int64_t m_offset = 0;
    std::vector<std::byte> m_buffer = std::vector<std::byte>(64 * 1024);
};

}  // namespace

std::string TarIndex::normalize(std::string_view name) {
    std::vector<std::string_view> parts;
    while (!name.empty()) {
        const auto slash = name.find('/');
        const auto part = name.substr(0, slash);
        name = slash == std::string_view::npos ? std::string_view{} : name.substr(slash + 1);
        if (part.empty() || part == ".") continue;
        // ".." that would leave the archive root is kept, so that it can never alias a member.
        if (part == ".." && !parts.empty() && parts.back() != "..") {
            parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (const auto part : parts) {
        if (!out.empty()) out += '/';
        out += part;
    }
    return out;
}

namespace {

// The tar file behind a libarchive client, checked to be a regular file.
Result<std::unique_ptr<TarFileClient>> open_client(const std::string& path,
                                                   const std::filesystem::path& file) {
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (!std::filesystem::exists(status))
        return fail(ErrorCode::not_found, "no such file: " + path);
    if (!std::filesystem::is_regular_file(status))
        return fail(ErrorCode::usage, "not a regular file: " + path);
    const auto size = std::filesystem::file_size(file, ec);
    if (ec)
        return fail(ErrorCode::filesystem, fmt::format("cannot read {}: {}", path, ec.message()));
    DESKEXT_TRY_ASSIGN(auto opened, platform::File::open_read(file));
    return std::make_unique<TarFileClient>(std::move(opened), static_cast<std::int64_t>(size));
}

Result<void> open_archive(archive* a, TarFileClient& client, const std::string& path) {
    // Every filter is enabled only so that a compressed archive is recognised and refused with a
    // clear message: members are later read in place by offset, which needs a plain tar.
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    if (archive_read_open2(a, &client, nullptr, &TarFileClient::read, &TarFileClient::skip,
                           nullptr) == ARCHIVE_OK)
        return {};
    return fail(ErrorCode::invalid_extension,
                fmt::format("cannot read {} as a tar archive: {}", path, archive_message(a)));
}

// The checks on the `count`th header read: a plain tar, within the caps.
Result<void> check_header(archive* a, archive_entry* entry, const std::string& path,
                          std::size_t count, std::size_t max_members, std::size_t max_name_bytes) {
    if (count == 1 && archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE) {
        return fail(ErrorCode::usage,
                    fmt::format("{} is a compressed archive ({}); compressed archives are "
                                "not supported; decompress first",
                                path, archive_filter_name(a, 0)));
    }
    if (count > max_members) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} has more than {} members", path, max_members));
    }
    const char* name = archive_entry_pathname(entry);
    const std::size_t name_bytes = name != nullptr ? std::string_view(name).size() : 0;
    if (name_bytes > max_name_bytes) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} has a member name of {} bytes, more than the limit of {}",
                                path, name_bytes, max_name_bytes));
    }
    return {};
}

}  // namespace

Result<TarIndex> TarIndex::scan(const std::string& path, std::size_t max_members,
                                std::size_t max_name_bytes) {
    TarIndex index;
    index.m_path = path;
    index.m_file = platform::path_from_utf8(path);
    DESKEXT_TRY_ASSIGN(auto client, open_client(path, index.m_file));
    ArchiveReadHandle handle;
    archive* a = handle.get();
    DESKEXT_TRY(open_archive(a, *client, path));

    for (std::size_t count = 1;; ++count) {
        archive_entry* entry = nullptr;
        const int r = archive_read_next_header(a, &entry);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
            return fail(
                ErrorCode::invalid_extension,
                fmt::format("cannot read {} as a tar archive: {}", path, archive_message(a)));
        }
        DESKEXT_TRY(check_header(a, entry, path, count, max_members, max_name_bytes));
        // For a plain tar the raw byte count right after the header (including any pax or GNU
        // long-name headers before it) is where this member's data starts.
        const std::int64_t data_offset = archive_filter_bytes(a, -1);
        const char* raw_name = archive_entry_pathname(entry);
        const std::string name = normalize(raw_name != nullptr ? raw_name : "");
        if (!name.empty()) index.record(name, entry, data_offset);  // not the root ("./")
        if (archive_read_data_skip(a) < ARCHIVE_WARN) {
            return fail(ErrorCode::invalid_extension,
                        fmt::format("{} is truncated or damaged near {}: {}", path, name,
                                    archive_message(a)));
        }
    }
    return index;
}

// A later member of the same name replaces an earlier one, whatever either is.
void TarIndex::record(const std::string& name, archive_entry* entry, std::int64_t data_offset) {
    m_files.erase(name);
    m_links.erase(name);
    if (const char* hard = archive_entry_hardlink(entry); hard != nullptr) {
        m_links.emplace(name, normalize(hard));
    } else if (archive_entry_filetype(entry) == AE_IFLNK) {
        const char* target = archive_entry_symlink(entry);
        const std::string_view target_view = target != nullptr ? target : "";
        // Absolute targets point outside the archive: left unresolvable.
        if (target_view.empty() || target_view.front() == '/') return;
        std::string joined(parent_of(name));
        if (!joined.empty()) joined += '/';
        joined += target_view;
        m_links.emplace(name, normalize(joined));
    } else if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_size_is_set(entry) &&
               archive_entry_sparse_count(entry) == 0) {
        // Sparse members are not contiguous in the file and cannot be read in place.
        m_files.emplace(name, TarMember{data_offset, archive_entry_size(entry)});
    }
}

std::optional<TarMember> TarIndex::find(std::string_view name) const {
    std::string current = normalize(name);
    for (int hop = 0; hop <= max_link_hops; ++hop) {
        if (const auto file = m_files.find(current); file != m_files.end()) return file->second;
        const auto link = m_links.find(current);
        if (link == m_links.end()) return std::nullopt;
        current = link->second;
    }
    return std::nullopt;
}

Result<std::string> TarIndex::read(std::string_view name, std::size_t cap) const {
    const auto member = find(name);
    if (!member) {
        return fail(ErrorCode::not_found, fmt::format("{} has no member {}", m_path, name));
    }
    if (static_cast<std::uint64_t>(member->size) > cap) {
        return fail(ErrorCode::invalid_extension,
                    fmt::format("{} in {} is {} bytes, more than the limit of {}", name, m_path,
                                member->size, cap));
    }
    DESKEXT_TRY_ASSIGN(auto reader, open_file_reader(m_file, member->offset, member->size));
    auto text = read_all(*reader, cap);
    if (!text) return std::unexpected(std::move(text).error().context(std::string(name)));
    if (static_cast<std::int64_t>(text->size()) != member->size) {
        return fail(ErrorCode::integrity,
                    fmt::format("{} in {} is shorter than its header says", name, m_path));
    }
    return text;
}

}  // namespace deskext::source
