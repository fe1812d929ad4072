// Shared state of the platform profiles while they build one LoadPlan: cached config parses,
// source texts, and the helpers that add triggers, module files and findings consistently.
#pragma once
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/limits.hpp"
#include "platform/load_plan.hpp"
#include "source/snapshot.hpp"

namespace mg {

class PlanBuilder {
 public:
  PlanBuilder(const Snapshot& snapshot, const Limits& scan_limits, unsigned thread_budget = 1)
      : snap(snapshot), limits(scan_limits), threads(std::max(1u, thread_budget)) {}

  const Snapshot& snap;
  const Limits& limits;
  const unsigned threads;  // profiles that read or parse many files may use this many
  LoadPlan plan;

  // Parsed JSON of a snapshot file; nullptr when absent or unreadable (recorded as incomplete).
  const nlohmann::json* json(std::string_view path);
  // Text of a snapshot file within the config size cap; nullopt when absent or unreadable.
  std::optional<std::string_view> text(std::string_view path);
  // Reads these files (within the config size cap) on `threads` threads, so that text() finds
  // them read; what fails to read is recorded as text() would.
  void prefetch(const std::vector<const FileEntry*>& files);
  // The file's bytes if text() or prefetch() read them already, else nullptr (never reads).
  const Blob* already_read(std::string_view path) const {
    const auto it = blobs_.find(path);
    return it == blobs_.end() ? nullptr : it->second.get();
  }

  // Records a trigger, its entry point and (if the module is a repo file) the module with the
  // closure of its relative imports, as transformers copies them.
  void add_trigger(Trigger t);
  // Adds a repo .py file that loading executes, with its relative-import closure.
  void add_module_file(const std::string& path);
  void add_finding(Finding f) { plan.findings.push_back(std::move(f)); }
  void add_incomplete(std::string file, std::string reason);

  // Finishes: sorts and de-duplicates module files.
  LoadPlan finish();
  // The files text() read (unreadable ones are left out).
  ReadCache take_reads();

 private:
  std::map<std::string, std::optional<nlohmann::json>, std::less<>> json_cache_;
  ReadCache blobs_;  // a null blob: absent, too large or unreadable
  std::set<std::string, std::less<>> modules_;
};

// Relative imports of a module as transformers' dynamic-module loader finds them (line-anchored
// `import .x` and `from .x import`), returned as names ("x", "pkg.sub").
std::vector<std::string> relative_import_names(std::string_view source);

// The profiles, one per loader ecosystem; each reads the snapshot and adds to the plan.
void profile_transformers(PlanBuilder& b);
void profile_diffusers(PlanBuilder& b);
void profile_sentence_transformers(PlanBuilder& b);
void profile_modelscope(PlanBuilder& b);
void profile_mmengine(PlanBuilder& b);
void profile_torchhub(PlanBuilder& b);
void profile_deserialization(PlanBuilder& b);  // weights and other deserialized files, by content
void profile_nemo(PlanBuilder& b);             // after profile_deserialization: names the weights' loader
void profile_paper_criteria(PlanBuilder& b);
// Turns the plan's triggers into load-engine findings (run after every profile).
void add_trigger_findings(PlanBuilder& b);

}  // namespace mg
