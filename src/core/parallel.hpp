// A loop whose iterations are independent, spread over a few threads (the caller's included).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace mg {

// Calls body(state, i) for every i in [0, n), on at most `threads` threads; items are handed out
// one at a time, so uneven items (a large file among small ones) do not leave a thread idle. Each
// thread makes its own state with make_state() (scratch buffers that need no locking).
template <typename MakeState, typename Body>
void parallel_for_with(std::size_t n, unsigned threads, MakeState&& make_state, Body&& body) {
  const std::size_t workers = std::min<std::size_t>(std::max(1u, threads), n);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    auto state = make_state();
    for (std::size_t i = next++; i < n; i = next++) body(state, i);
  };
  std::vector<std::thread> pool;
  for (std::size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
}

// The same without per-thread state: body(i).
template <typename Body>
void parallel_for(std::size_t n, unsigned threads, Body&& body) {
  parallel_for_with(n, threads, [] { return 0; }, [&](int, std::size_t i) { body(i); });
}

}  // namespace mg
