// Cross-process file locks. flock locks belong to the open file description, so two FileLocks
// in one process conflict exactly as two processes would.

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "deskext/platform/file_lock.hpp"
#include "fixtures/temp_dir.hpp"

using namespace deskext;
using platform::FileLock;
using platform::LockMode;
using namespace std::chrono_literals;

TEST_CASE("file_lock: exclusive locks exclude each other", "[platform][file_lock]") {
    fixtures::TempDir dir;
    const auto file = dir / "locks/a.lock";  // the directory is created on demand
    auto first = FileLock::acquire(file, LockMode::exclusive, platform::no_wait);
    REQUIRE(first);
    CHECK(first->held());
    CHECK(std::filesystem::exists(file));

    const auto started = std::chrono::steady_clock::now();
    auto second = FileLock::acquire(file, LockMode::exclusive, platform::no_wait);
    REQUIRE_FALSE(second);
    CHECK(second.error().code == ErrorCode::busy);
    CHECK(second.error().message.find(file.string()) != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < 1s);  // at once, no waiting

    first->release();
    CHECK_FALSE(first->held());
    CHECK(FileLock::acquire(file, LockMode::exclusive, platform::no_wait));
}

TEST_CASE("file_lock: shared locks coexist and keep exclusive ones out", "[platform][file_lock]") {
    fixtures::TempDir dir;
    const auto file = dir / "s.lock";
    auto a = FileLock::acquire(file, LockMode::shared, platform::no_wait);
    auto b = FileLock::acquire(file, LockMode::shared, platform::no_wait);
    REQUIRE(a);
    REQUIRE(b);
    auto exclusive = FileLock::acquire(file, LockMode::exclusive, platform::no_wait);
    REQUIRE_FALSE(exclusive);
    CHECK(exclusive.error().code == ErrorCode::busy);
    a->release();
    CHECK_FALSE(FileLock::acquire(file, LockMode::exclusive, platform::no_wait));
    b->release();
    auto now = FileLock::acquire(file, LockMode::exclusive, platform::no_wait);
    REQUIRE(now);
    CHECK_FALSE(FileLock::acquire(file, LockMode::shared, platform::no_wait));
}

TEST_CASE("file_lock: bounded and unbounded waits", "[platform][file_lock]") {
    fixtures::TempDir dir;
    const auto file = dir / "w.lock";
    auto holder = FileLock::acquire(file, LockMode::exclusive, platform::no_wait);
    REQUIRE(holder);

    SECTION("a short wait times out with busy") {
        const auto started = std::chrono::steady_clock::now();
        auto waited = FileLock::acquire(file, LockMode::exclusive, 150ms);
        REQUIRE_FALSE(waited);
        CHECK(waited.error().code == ErrorCode::busy);
        CHECK(std::chrono::steady_clock::now() - started >= 150ms);
    }
    SECTION("a long wait gets the lock when the holder lets go") {
        std::thread releaser([&] {
            std::this_thread::sleep_for(200ms);
            holder->release();
        });
        auto waited = FileLock::acquire(file, LockMode::exclusive, 10s);
        releaser.join();
        REQUIRE(waited);
        CHECK(waited->held());
    }
    SECTION("waiting forever blocks until the holder lets go") {
        std::thread releaser([&] {
            std::this_thread::sleep_for(200ms);
            holder->release();
        });
        auto waited = FileLock::acquire(file, LockMode::shared, std::nullopt);
        releaser.join();
        REQUIRE(waited);
        CHECK(waited->mode() == LockMode::shared);
    }
}

TEST_CASE("file_lock: a lock file removed by its holder is not trusted by waiters",
          "[platform][file_lock]") {
    fixtures::TempDir dir;
    const auto file = dir / "r.lock";
    auto holder = FileLock::acquire(file, LockMode::exclusive, platform::no_wait);
    REQUIRE(holder);
    bool removed = false;
    std::thread remover([&] {
        std::this_thread::sleep_for(150ms);
        removed = holder->remove_and_release().has_value();
    });
    // The waiter opened the old file; once it is gone it must lock a file that has the name.
    auto waiter = FileLock::acquire(file, LockMode::exclusive, 10s);
    remover.join();
    CHECK(removed);
    REQUIRE(waiter);
    REQUIRE(std::filesystem::exists(file));
    // Held for real: nobody else gets the file that now has the name.
    CHECK_FALSE(FileLock::acquire(file, LockMode::exclusive, platform::no_wait));
    REQUIRE(waiter->remove_and_release());
    CHECK_FALSE(std::filesystem::exists(file));
}

TEST_CASE("file_lock: moving transfers the lock", "[platform][file_lock]") {
    fixtures::TempDir dir;
    const auto file = dir / "m.lock";
    auto acquired = FileLock::acquire(file, LockMode::exclusive, platform::no_wait);
    REQUIRE(acquired);
    FileLock moved = std::move(*acquired);
    CHECK(moved.held());
    CHECK_FALSE(acquired->held());
    acquired->release();  // no effect on the moved-to lock
    CHECK_FALSE(FileLock::acquire(file, LockMode::exclusive, platform::no_wait));
    { FileLock gone = std::move(moved); }
    CHECK(FileLock::acquire(file, LockMode::exclusive, platform::no_wait));
}
