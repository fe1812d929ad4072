// Cost of the reachability stage next to the Python stage it rides on, over one corpus (default:
// the machine's CPython stdlib, every module treated as executed: the worst case). Single thread
// for each measurement, median of RUNS. Target: reachability adds <= 20% to the Python stage.
//
// usage: reachability_bench [CORPUS_DIR] [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "core/text.hpp"
#include "engines/python/analyzer.hpp"
#include "platform/load_plan.hpp"
#include "python/module_facts.hpp"
#include "python/module_index.hpp"
#include "python/reachability.hpp"
#include "source/snapshot.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::string corpus = argc > 1 ? argv[1] : "/usr/lib/python3.11";
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  mg::Limits limits;
  auto snaps = mg::open_target(corpus, limits);
  if (!snaps) {
    std::fprintf(stderr, "reachability_bench: %s\n", snaps.error().message.c_str());
    return 2;
  }
  const mg::Snapshot& snap = snaps->front();
  std::vector<std::pair<std::string, mg::BlobPtr>> files;
  std::uint64_t bytes = 0;
  for (const auto& f : snap.files) {
    if (!mg::ends_with(f.path, ".py") || f.size > limits.max_python_bytes) continue;
    if (auto b = snap.read(f); b) {
      files.emplace_back(f.path, *b);
      bytes += f.size;
    }
  }
  mg::LoadPlan plan;  // every module executed: the most work reachability can have
  for (const auto& [path, _] : files) plan.module_files.push_back(path);

  const mg::py::Analyzer analyzer;
  std::vector<double> parse_ms, python_ms, walk_ms, facts_ms, graph_ms;
  std::size_t executed = 0;
  for (int r = 0; r < runs; ++r) {
    mg::py::Parser parser;
    auto t0 = Clock::now();
    for (const auto& [path, blob] : files) (void)parser.parse(blob->text());
    parse_ms.push_back(ms_since(t0));

    t0 = Clock::now();
    for (const auto& [path, blob] : files) (void)analyzer.analyse(path, blob->text(), parser);
    python_ms.push_back(ms_since(t0));

    // The Python stage feeds its one walk to the FactsCollector: what reachability adds is the
    // collector's work per node, i.e. a walk with it minus the same walk without it.
    double with = 0, bare = 0;
    std::map<std::string, mg::py::ModuleFacts> facts;
    for (const auto& [path, blob] : files) {
      mg::py::Tree tree = parser.parse(blob->text());
      auto w0 = Clock::now();
      std::size_t nodes = 0;
      mg::py::walk_tree(tree.root(), [&](TSNode) { ++nodes; return true; }, [&](TSNode) {});
      bare += ms_since(w0);
      w0 = Clock::now();
      mg::py::FactsCollector collector(tree, path);
      mg::py::walk_tree(tree.root(), [&](TSNode n) { collector.enter(n); return true; }, [&](TSNode) { collector.leave(); });
      facts.emplace(path, collector.take());
      with += ms_since(w0);
      if (nodes == 0) with += 0;  // keeps the bare walk from being optimised away
    }
    walk_ms.push_back(bare);
    facts_ms.push_back(std::max(0.0, with - bare));

    t0 = Clock::now();
    mg::py::Reachability reach(plan, std::move(facts));
    graph_ms.push_back(ms_since(t0));
    executed = reach.executed_modules().size();
  }
  const double parse = median(parse_ms), python = median(python_ms), walk = median(walk_ms), facts = median(facts_ms),
               graph = median(graph_ms);
  std::printf("corpus %s: %zu Python files, %.1f MiB, %zu modules executed\n", corpus.c_str(), files.size(), bytes / 1048576.0, executed);
  std::printf("  bare tree-sitter parse      %8.1f ms\n", parse);
  std::printf("  python stage (parse+rules)  %8.1f ms  (%.2fx bare parse)\n", python, python / parse);
  std::printf("  (a bare walk of the trees  %8.1f ms, shared with the rules)\n", walk);
  std::printf("  reachability: facts        %8.1f ms  (collector work on the shared walk)\n", facts);
  std::printf("  reachability: graph         %8.1f ms\n", graph);
  const double share = (facts + graph) / python;
  std::printf("  reachability adds           %7.1f%% to the python stage (target <= 20%%): %s\n", share * 100, share <= 0.20 ? "met" : "NOT MET");
  return 0;
}
