#pragma once
// The one way deskext spreads independent work items over threads (reading layers, hashing
// installed files): a few threads, the calling one included, each taking the next item.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace deskext::parallel {

// Calls item(i) for every i in [0, count), on up to `max_threads` threads at once (never more
// than the machine's cores or `count`; the calling thread is one of them), each thread taking
// the next i in order; returns once every call has returned. `item` must be safe to call
// concurrently for different i, and must not throw.
template <class Item>
void for_each_index(std::size_t count, std::size_t max_threads, const Item& item) {
    const std::size_t threads = std::min(
        {count, max_threads, std::max<std::size_t>(1, std::thread::hardware_concurrency())});
    std::atomic<std::size_t> next = 0;
    const auto work = [&] {
        for (std::size_t i = next++; i < count; i = next++) item(i);
    };
    std::vector<std::jthread> helpers;
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
}

}  // namespace deskext::parallel
