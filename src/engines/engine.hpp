// The engine interface: each engine reads a Snapshot and its LoadPlan and emits Findings.
// Engines are stateless after construction and run concurrently on different targets.
#pragma once
#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "behaviour/model.hpp"
#include "core/finding.hpp"
#include "core/limits.hpp"
#include "platform/load_plan.hpp"
#include "python/load_calls.hpp"
#include "python/module_facts.hpp"
#include "source/snapshot.hpp"

namespace mg {

struct EngineContext {
  const Snapshot& snapshot;
  const LoadPlan& plan;
  const Limits& limits;
  const ReadCache* reads = nullptr;  // files earlier stages read (read-only while engines run)
  // Threads an engine may use on this target: scans of many targets in parallel share the cores
  // instead of each engine taking all of them. 0 = one per core.
  unsigned threads = 0;

  unsigned thread_budget() const { return threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency()); }

  Result<BlobPtr> read(const FileEntry& f) const { return read_file(snapshot, reads, f); }
};

struct EngineOutput {
  std::vector<Finding> findings;
  std::vector<Incomplete> incomplete;
  // Deserialization points (by file) this engine analysed completely.
  std::vector<std::string> analysed_files;
  // Reachability facts of Python files the engine parsed anyway (saves the reachability stage a
  // second parse of each file).
  std::vector<py::ModuleFacts> module_facts;
  // Behaviour models of the Python files (the behaviour stage solves them with the call graph).
  std::vector<behaviour::FileModel> behaviour_models;
  // Calls that fetch another repository (torch.hub.load, nested from_pretrained), by file, read on
  // the engine's own walk; `python_calls_read` says an engine read every Python file for them.
  std::vector<std::pair<std::string, std::vector<py::CrossRepoCall>>> cross_repo_calls;
  bool python_calls_read = false;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string_view name() const = 0;
  // True if this engine analyses content of the given deserialization format; points whose format
  // no engine handles are reported as incomplete (fail closed).
  virtual bool handles_format(std::string_view /*format*/) const { return false; }
  virtual void run(const EngineContext& ctx, EngineOutput& out) const = 0;
};

// The engines compiled into this binary, in run order.
std::vector<std::unique_ptr<Engine>> make_builtin_engines();

}  // namespace mg
