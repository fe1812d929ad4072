#include "engines/python/python_engine.hpp"

#include <algorithm>
#include <atomic>
#include <optional>
#include <semaphore>
#include <thread>

#include "core/text.hpp"
#include "engines/python/analyzer.hpp"

namespace mg {

namespace {

bool is_python_path(std::string_view path) { return ends_with(path, ".py") || ends_with(path, ".pyw"); }

// Syntax trees take about 120 bytes per source byte: large files are parsed one at a time,
// process-wide (across targets too), so two of them never double the peak memory.
constexpr std::uint64_t kLargeFile = 256u << 10;
std::binary_semaphore g_large_file(1);

class LargeFileTurn {
 public:
  explicit LargeFileTurn(bool large) : held_(large) {
    if (held_) g_large_file.acquire();
  }
  ~LargeFileTurn() {
    if (held_) g_large_file.release();
  }
  LargeFileTurn(const LargeFileTurn&) = delete;
  LargeFileTurn& operator=(const LargeFileTurn&) = delete;

 private:
  bool held_;
};

class PythonEngine final : public Engine {
 public:
  explicit PythonEngine(PythonEngineOptions options) : options_(options) {}
  std::string_view name() const override { return "python"; }

  void run(const EngineContext& ctx, EngineOutput& out) const override {
    std::vector<const FileEntry*> files;
    for (const auto& f : ctx.snapshot.files) {
      if (is_python_path(f.path)) files.push_back(&f);
    }
    if (files.empty()) return;

    struct Slot {
      std::vector<Finding> findings;
      std::optional<std::string> incomplete;
      std::optional<py::ModuleFacts> facts;
      std::vector<behaviour::FileModel> models;  // the file's, then those of code it decodes and runs
      std::vector<py::CrossRepoCall> calls;
    };
    std::vector<Slot> slots(files.size());
    std::atomic<std::size_t> next{0};
    py::AnalyzerOptions options;
    options.honor_suppressions = options_.honor_suppressions;
    options.max_tree_bytes = ctx.limits.max_python_tree_bytes;

    auto worker = [&] {
      py::Parser parser;
      for (;;) {
        const std::size_t i = next.fetch_add(1);
        if (i >= files.size()) return;
        const FileEntry& f = *files[i];
        Slot& slot = slots[i];
        if (f.size > ctx.limits.max_python_bytes) {
          slot.incomplete = "python: file larger than " + std::to_string(ctx.limits.max_python_bytes) + " bytes";
          continue;
        }
        auto blob = ctx.read(f);
        if (!blob) {
          slot.incomplete = "python: " + blob.error().message;
          continue;
        }
        const LargeFileTurn turn(f.size > kLargeFile);
        auto analysis = analyzer_.analyse(f.path, (*blob)->text(), parser, options);
        slot.findings = std::move(analysis.findings);
        slot.incomplete = std::move(analysis.incomplete);
        slot.facts = std::move(analysis.facts);
        slot.models.push_back(std::move(analysis.model));
        slot.calls = std::move(analysis.cross_repo_calls);
        analyse_payloads(f.path, parser, options, slot, 0);
      }
    };
    const std::size_t nthreads = std::min<std::size_t>({ctx.thread_budget(), files.size(), 8});
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < nthreads; ++t) pool.emplace_back(worker);
    worker();
    for (auto& t : pool) t.join();

    const auto& modules = ctx.plan.module_files;
    for (std::size_t i = 0; i < files.size(); ++i) {
      const bool loaded = std::binary_search(modules.begin(), modules.end(), files[i]->path);
      for (auto& f : slots[i].findings) {
        // Real reachability is the call graph's job (issue 4); module files loading runs are reachable.
        if (loaded) {
          f.load_reachable = Reach::yes;
          for (const auto& ep : ctx.plan.entry_points) {
            if (ep.file == files[i]->path) {
              f.reach_path = {ep.trigger, files[i]->path + ":<module>"};
              break;
            }
          }
          if (f.reach_path.empty()) f.reach_path = {files[i]->path + ":<module>"};
        }
        out.findings.push_back(std::move(f));
      }
      if (slots[i].incomplete) out.incomplete.push_back(Incomplete{files[i]->path, *slots[i].incomplete});
      if (slots[i].facts) out.module_facts.push_back(std::move(*slots[i].facts));
      for (auto& m : slots[i].models) out.behaviour_models.push_back(std::move(m));
      if (!slots[i].calls.empty()) out.cross_repo_calls.emplace_back(files[i]->path, std::move(slots[i].calls));
    }
    out.python_calls_read = true;
  }

 private:
  // Python source a file decodes and runs (exec of a base64 constant...) runs where the exec is:
  // it is analysed as code, and its findings and behaviour point at the exec's line.
  template <typename Slot>
  void analyse_payloads(const std::string& path, py::Parser& parser, const py::AnalyzerOptions& options, Slot& slot, int depth) const {
    if (depth >= kMaxPayloadDepth) return;
    const std::size_t model_index = slot.models.size() - 1;
    const auto payloads = slot.models[model_index].payloads;
    for (const auto& p : payloads) {
      if (p.kind != "python") continue;
      auto inner = analyzer_.analyse(path, p.bytes, parser, options);
      if (!inner.facts.parsed || inner.index.error_fraction(p.bytes.size()) > 0.5) continue;  // not Python after all
      const std::string where = "code decoded at line " + std::to_string(p.line) + " and run by " + p.via;
      for (auto& f : inner.findings) {
        f.message = "[" + where + "] " + f.message;
        f.line = p.line;
        f.column = 0;
        slot.findings.push_back(std::move(f));
      }
      behaviour::relocate(inner.model, p.line);
      slot.models.push_back(std::move(inner.model));
      analyse_payloads(path, parser, options, slot, depth + 1);
    }
  }

  static constexpr int kMaxPayloadDepth = 3;
  PythonEngineOptions options_;
  py::Analyzer analyzer_;
};

}  // namespace

std::unique_ptr<Engine> make_python_engine(PythonEngineOptions options) { return std::make_unique<PythonEngine>(options); }

}  // namespace mg
