#include "cache/cache_roots.hpp"

#include <system_error>

#include "cache/cache_lock.hpp"
#include "cache/unflushed_entry.hpp"
#include "deskext/cache/cache_upkeep.hpp"
#include "deskext/digest.hpp"
#include "deskext/io/reader.hpp"
#include "deskext/platform/directory.hpp"
#include "deskext/platform/fs.hpp"
#include "deskext/platform/utf8.hpp"

namespace deskext::cache {
namespace {

constexpr std::size_t max_root_record_bytes = 64u << 10;

std::filesystem::path roots_dir(const std::filesystem::path& cache_dir) {
    return cache_dir / "roots";
}

// One spelling per root, so that one root is registered once however it was named.
std::filesystem::path normal_root(const std::filesystem::path& root) {
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(root, ec);
    if (ec) canonical = std::filesystem::absolute(root, ec).lexically_normal();
    return canonical;
}

}  // namespace

Result<void> write_root_record(const std::filesystem::path& cache_dir,
                               const std::filesystem::path& root) {
    const auto text = platform::utf8_of(normal_root(root));
    // Named after the path: registering again rewrites the same file.
    const auto id = sha256_of(text).hex().substr(0, 32);
    return write_unflushed_entry(roots_dir(cache_dir) / id, text);
}

Result<void> register_root(const std::filesystem::path& cache_dir,
                           const std::filesystem::path& root) {
    DESKEXT_TRY(platform::create_directories(cache_dir));
    // Under the lock: a prune never finds a record half written.
    DESKEXT_TRY_ASSIGN(const auto lock,
                       platform::FileLock::acquire(lock_path(cache_dir), platform::LockMode::shared,
                                                   reader_lock_wait));
    return write_root_record(cache_dir, root);
}

std::vector<std::filesystem::path> registered_roots(const std::filesystem::path& cache_dir) {
    std::vector<std::filesystem::path> roots;
    auto entries = platform::list_directory(roots_dir(cache_dir));
    if (!entries) return roots;
    for (const auto& entry : *entries) {
        const auto file = roots_dir(cache_dir) / entry.name;
        std::optional<std::string> text;
        if (auto reader = open_file_reader(file)) {
            if (auto read = read_all(**reader, max_root_record_bytes)) text = std::move(*read);
        }
        std::error_code ec;
        // A temporary file a killed run left, or a record of a root that is gone.
        if (!text || text->empty() ||
            !std::filesystem::is_directory(platform::path_from_utf8(*text), ec)) {
            std::filesystem::remove(file, ec);
            continue;
        }
        roots.push_back(platform::path_from_utf8(*text));
    }
    return roots;
}

}  // namespace deskext::cache
