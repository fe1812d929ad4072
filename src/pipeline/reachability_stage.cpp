#include "pipeline/reachability_stage.hpp"

#include <algorithm>
#include <map>

#include "core/text.hpp"

namespace mg {

py::Reachability compute_reachability(const Snapshot& snapshot, const LoadPlan& plan, const Limits& limits,
                                      std::vector<py::ModuleFacts> known, const ReadCache* reads) {
  std::map<std::string, py::ModuleFacts> facts;
  for (auto& k : known) {
    std::string path = k.path;
    facts.emplace(std::move(path), std::move(k));
  }
  py::Parser parser;
  for (const auto& f : snapshot.files) {
    if (!ends_with(f.path, ".py") || facts.count(f.path)) continue;
    py::ModuleFacts m;
    m.path = f.path;
    m.parsed = false;  // unread files stay "unknown", never "not reached"
    if (f.size <= limits.max_python_bytes) {
      if (auto blob = read_file(snapshot, reads, f); blob) m = py::read_module_facts(parser, (*blob)->text(), f.path);
    }
    facts.emplace(f.path, std::move(m));
  }
  return py::Reachability(plan, std::move(facts));
}

void apply_reachability(const py::Reachability& reach, LoadPlan& plan, std::vector<Finding>& findings) {
  for (auto& f : findings) {
    if ((f.engine != "python" && f.engine != "yara") || !reach.knows(f.file)) continue;
    f.reach_path.clear();
    f.load_reachable = reach.classify(f.file, f.line, &f.reach_path);
  }
  auto executed = reach.executed_modules();
  executed.insert(executed.end(), plan.module_files.begin(), plan.module_files.end());
  std::sort(executed.begin(), executed.end());
  executed.erase(std::unique(executed.begin(), executed.end()), executed.end());
  plan.module_files = std::move(executed);
  plan.required_packages = reach.required_packages();
}

}  // namespace mg
