#include "platform/cross_repo_code.hpp"

#include <utility>

#include "core/text.hpp"

namespace mg {

std::string follow_target(const py::CrossRepoCall& call) {
  if (call.repo.empty()) return {};
  if (call.loader == "torch.hub") return "torchhub:" + call.repo + (call.revision.empty() ? "" : ":" + call.revision);
  const std::string hub = call.loader == "modelscope" ? "ms:" : "hf:";
  return hub + call.repo + (call.revision.empty() ? "" : "@" + call.revision);
}

namespace {

std::string gate_of(const py::CrossRepoCall& c) {
  if (c.loader == "torch.hub") return "none (torch.hub's trust_repo only warns by default)";
  if (c.trust_remote_code) return "none (trust_remote_code=True is passed by the calling code)";
  if (c.trust_computed) return "trust_remote_code computed by the calling code";
  return "none (weights and configuration only; no code from it runs)";
}

std::string why_of(const std::string& file, const py::CrossRepoCall& c) {
  const std::string where = file + ":" + std::to_string(c.line);
  const std::string what = c.computed ? "a repository it computes at run time" : "'" + c.repo + "'";
  std::string rev = c.revision.empty() ? "its default branch" : "'" + c.revision + "', a branch or tag that can move";
  if (c.loader == "torch.hub") {
    if (c.revision.empty()) rev = "its main (else master) branch";
    return "Code that runs at load (" + where + ") calls " + c.callee + " on " + what + ": torch.hub downloads that GitHub repository at " + rev +
           ", imports its hubconf.py and calls an entry point. No review of this snapshot covers that code.";
  }
  const std::string trust = c.trust_remote_code ? "with trust_remote_code=True" : "with a computed trust_remote_code";
  return "Code that runs at load (" + where + ") calls " + c.callee + " on " + what + " " + trust + ": " + c.loader +
         " runs the Python code that repository ships, taken from " + rev + ", and the user who loaded this model is never asked. " +
         "No review of this snapshot covers that code.";
}

}  // namespace

void add_cross_repo_calls(const std::vector<std::pair<std::string, std::vector<py::CrossRepoCall>>>& calls, const py::Reachability& reach,
                          LoadPlan& plan, std::vector<Finding>& findings) {
  for (const auto& [file, list] : calls) {
    for (const auto& c : list) {
      std::vector<std::string> path;
      const Reach r = reach.knows(file) ? reach.classify(file, c.line, &path) : Reach::unknown;
      if (r == Reach::no) continue;  // never runs at load: not a reference loading makes
      Trigger t;
      t.file = file;
      t.line = c.line;
      t.key = "line " + std::to_string(c.line) + ": " + c.callee;
      t.loader = c.loader;
      t.gate = gate_of(c);
      t.remote_repo = c.repo;
      if (c.loader == "torch.hub" && !c.repo.empty()) t.module = "hubconf.py";  // what torch.hub imports from it
      t.remote_target = follow_target(c);
      t.value = c.computed ? "computed" : c.repo + (c.revision.empty() ? "" : (c.loader == "torch.hub" ? ":" : "@") + c.revision);
      const bool flagged = c.pulls_code() && !c.pinned();
      t.rule_id = flagged ? "LD112" : "";
      t.why = why_of(file, c);
      plan.triggers.push_back(t);
      if (!flagged) continue;
      Finding f = make_finding("LD112", file, t.why);
      f.line = c.line;
      f.column = c.column;
      f.snippet = c.snippet;
      f.load_reachable = r;
      f.reach_path = std::move(path);
      if (c.computed || (c.trust_computed && !c.trust_remote_code)) f.confidence = Confidence::medium;
      findings.push_back(std::move(f));
    }
  }
}

void add_cross_repo_code(const Snapshot& snapshot, const Limits& limits, const ReadCache* reads, const py::Reachability& reach,
                         LoadPlan& plan, std::vector<Finding>& findings) {
  std::vector<std::pair<std::string, std::vector<py::CrossRepoCall>>> calls;
  py::Parser parser;
  for (const auto& f : snapshot.files) {
    if (!ends_with(f.path, ".py") || f.size > limits.max_python_bytes) continue;
    auto blob = read_file(snapshot, reads, f);
    if (!blob) continue;  // the reachability stage reports unreadable files
    const std::string_view text = (*blob)->text();
    if (!py::may_call_other_repo(text)) continue;  // most files: no parse
    auto found = py::read_cross_repo_calls(parser, text);
    if (!found.empty()) calls.emplace_back(f.path, std::move(found));
  }
  add_cross_repo_calls(calls, reach, plan, findings);
}

}  // namespace mg
