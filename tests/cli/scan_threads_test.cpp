// Targets scanned side by side share the cores: each engine is told its slice (EngineContext::
// threads), so a bulk scan does not start every engine's thread pool on every target at once.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "../support/temp_repo.hpp"
#include "engines/engine.hpp"
#include "pipeline/scan.hpp"

namespace {

class RecordingEngine final : public mg::Engine {
 public:
  std::string_view name() const override { return "recording"; }
  void run(const mg::EngineContext& ctx, mg::EngineOutput&) const override {
    ++runs;
    unsigned seen = max_threads.load();
    while (ctx.thread_budget() > seen && !max_threads.compare_exchange_weak(seen, ctx.thread_budget())) {
    }
    unsigned low = min_threads.load();
    while (ctx.thread_budget() < low && !min_threads.compare_exchange_weak(low, ctx.thread_budget())) {
    }
  }
  mutable std::atomic<unsigned> runs{0}, max_threads{0}, min_threads{~0u};
};

TEST(ScanThreads, ParallelTargetsShareTheCores) {
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  mg::test::TempRepo a({{"a.py", "x = 1\n"}}), b({{"b.py", "x = 2\n"}}), c({{"c.py", "x = 3\n"}}), d({{"d.py", "x = 4\n"}});
  std::vector<std::unique_ptr<mg::Engine>> engines;
  engines.push_back(std::make_unique<RecordingEngine>());
  const auto& rec = static_cast<const RecordingEngine&>(*engines.front());

  mg::ScanOptions options;
  options.jobs = 2;
  mg::scan({a.path(), b.path(), c.path(), d.path()}, options, &engines);
  EXPECT_EQ(rec.runs.load(), 4u);
  EXPECT_EQ(rec.max_threads.load(), std::max(1u, hw / 2));
  EXPECT_EQ(rec.min_threads.load(), std::max(1u, hw / 2));

  // One target: its engines may use every core.
  rec.max_threads = 0;
  rec.min_threads = ~0u;
  mg::scan({a.path()}, mg::ScanOptions{}, &engines);
  EXPECT_EQ(rec.max_threads.load(), hw);
  EXPECT_EQ(rec.min_threads.load(), hw);
}

}  // namespace
