// The pipeline: target -> Snapshot -> LoadPlan -> engines -> findings -> verdict (DESIGN.md).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/finding.hpp"
#include "core/limits.hpp"
#include "enforce/integrity.hpp"
#include "platform/load_plan.hpp"
#include "source/hub/hub.hpp"
#include "source/snapshot.hpp"

namespace mg {

class Engine;

// Where a snapshot's scan spent its time (wall seconds; engines in the order they ran). For the
// benches and a user asking why a repository is slow; never in the reports (they are reproducible).
struct StageTimes {
  double plan = 0;
  std::vector<std::pair<std::string, double>> engines;
  double reachability = 0;
  double behaviour = 0;
  double finish = 0;  // reachability marks, fingerprints, sorting, verdict
};

struct TargetReport {
  std::string target;
  std::string kind;      // how the target was read (directory, archive, hf-cache, ...)
  std::string repo_id;
  std::string revision;
  LoadPlan plan;
  std::vector<Finding> findings;          // sorted: reachable first, then severity
  std::vector<Incomplete> incomplete;     // non-empty = status "partial"
  std::optional<Severity> verdict;        // highest severity of findings that can run at load; nullopt = clean
  std::optional<Transfer> transfer;       // hub targets: bytes fetched against the repository's size
  // --follow-remote-code: the target whose load plan named this repository's code, and where.
  std::string followed_from;
  Trigger followed_reference;  // the trigger (file, key, value) that named it
  int followed_depth = 0;      // 1 = named by a command-line target
  StageTimes times;
  Integrity integrity;                    // the OMS signature (model.sig), if any, as far as a scan can check it

  bool partial() const { return !incomplete.empty(); }
};

struct ScanOptions {
  Limits limits;
  unsigned jobs = 0;  // 0 = hardware concurrency
  hub::HubOptions hub = hub::HubOptions::from_env();  // how hub targets (hf:org/name) are read
  // --follow-remote-code[=DEPTH]: also fetch and scan the repositories whose code the load plans
  // name (auto_map "org/repo--module.Class"), up to this many hops; 0 = off.
  int follow_remote_code = 0;
  // Called after each snapshot finishes (for a progress line); may be called from worker threads,
  // never concurrently.
  std::function<void(std::size_t done, std::size_t total, const std::string& target)> progress;
};

struct ScanReport {
  std::vector<TargetReport> targets;
};

// Scans every target with the given engines (the built-in set when empty). Never throws for bad
// input: an unusable target becomes a partial TargetReport carrying the reason.
ScanReport scan(const std::vector<std::string>& targets, const ScanOptions& options,
                const std::vector<std::unique_ptr<Engine>>* engines = nullptr);

// Scans a snapshot; for a hub snapshot, fetches what the parsers read beyond what the source
// fetched and scans again (a few rounds at most), then records the transfer.
TargetReport scan_remote_aware(const Snapshot& snapshot, const std::vector<std::unique_ptr<Engine>>& engines, const Limits& limits,
                               unsigned threads = 0);

// The analysis of one snapshot (exposed for tests).
// `threads`: what each engine may use on this snapshot (0 = one per core).
TargetReport scan_snapshot(const Snapshot& snapshot, const std::vector<std::unique_ptr<Engine>>& engines, const Limits& limits,
                           unsigned threads = 0);

// What a finding weighs in the verdict and for --fail-on: its severity when it may run at load;
// nothing when it never does, except malware signatures (YARA, high and above), which show intent
// wherever they sit and count one level lower; nullopt = does not count.
std::optional<Severity> verdict_weight(const Finding& f);

// Verdict of a finding set: the highest verdict_weight.
std::optional<Severity> verdict_of(const std::vector<Finding>& findings);

}  // namespace mg
