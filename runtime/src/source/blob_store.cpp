#include "source/blob_store.hpp"

#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "deskext/platform/utf8.hpp"

namespace deskext::source {
namespace {

class DirectoryStore final : public BlobStore {
public:
    explicit DirectoryStore(std::filesystem::path dir) : m_dir(std::move(dir)) {}

    [[nodiscard]] std::string describe() const override { return platform::utf8_of(m_dir); }

    [[nodiscard]] bool has(std::string_view name) const override {
        std::error_code ec;
        return std::filesystem::is_regular_file(m_dir / name, ec);
    }

    [[nodiscard]] Result<std::string> read_file(std::string_view name,
                                                std::size_t cap) const override {
        DESKEXT_TRY_ASSIGN(auto reader, open(name));
        auto text = read_all(*reader, cap);
        if (!text) {
            return std::unexpected(
                std::move(text).error().context(platform::utf8_of(m_dir / name)));
        }
        return text;
    }

    [[nodiscard]] Result<std::unique_ptr<Reader>> open(std::string_view name) const override {
        const auto file = m_dir / name;
        if (!has(name))
            return fail(ErrorCode::not_found, "no such file: " + platform::utf8_of(file));
        return open_file_reader(file);
    }

private:
    std::filesystem::path m_dir;
};

class TarStore final : public BlobStore {
public:
    explicit TarStore(TarIndex index) : m_index(std::move(index)) {}

    [[nodiscard]] std::string describe() const override { return m_index.path(); }

    [[nodiscard]] bool has(std::string_view name) const override { return m_index.contains(name); }

    [[nodiscard]] Result<std::string> read_file(std::string_view name,
                                                std::size_t cap) const override {
        return m_index.read(name, cap);
    }

    [[nodiscard]] Result<std::unique_ptr<Reader>> open(std::string_view name) const override {
        const auto member = m_index.find(name);
        if (!member) {
            return fail(ErrorCode::not_found,
                        fmt::format("{} has no member {}", m_index.path(), name));
        }
        return open_file_reader(m_index.file(), member->offset, member->size);
    }

private:
    TarIndex m_index;
};

}  // namespace

std::unique_ptr<BlobStore> make_directory_store(std::filesystem::path dir) {
    return std::make_unique<DirectoryStore>(std::move(dir));
}

std::unique_ptr<BlobStore> make_tar_store(TarIndex index) {
    return std::make_unique<TarStore>(std::move(index));
}

}  // namespace deskext::source
