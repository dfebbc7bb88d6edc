#include "install/file_hash.hpp"

#include <array>
#include <memory>

#include "deskext/io/reader.hpp"

namespace deskext {

Result<FileHash> hash_file(const std::filesystem::path& path) {
    DESKEXT_TRY_ASSIGN(auto reader, open_file_reader(path));
    auto buffer = std::make_unique<std::array<std::byte, 1u << 18>>();
    Sha256 hash;
    std::int64_t size = 0;
    for (;;) {
        DESKEXT_TRY_ASSIGN(auto n, reader->read(*buffer));
        if (n == 0) break;
        hash.update(std::span<const std::byte>(buffer->data(), n));
        size += static_cast<std::int64_t>(n);
    }
    return FileHash{hash.finish(), size};
}

}  // namespace deskext
