#include "pipeline/scan.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "behaviour/behaviour.hpp"
#include "engines/engine.hpp"
#include "pipeline/reachability_stage.hpp"
#include "platform/cross_repo_code.hpp"
#include "source/hub/target.hpp"

namespace mg {

std::optional<Severity> verdict_weight(const Finding& f) {
  if (f.load_reachable != Reach::no) return weighed_severity(f);
  if (f.engine == "yara" && f.severity >= Severity::high) return static_cast<Severity>(static_cast<int>(f.severity) - 1);
  return std::nullopt;
}

std::optional<Severity> verdict_of(const std::vector<Finding>& findings) {
  std::optional<Severity> v;
  for (const auto& f : findings) {
    const auto w = verdict_weight(f);
    if (w && (!v || *w > *v)) v = w;
  }
  return v;
}

namespace {

// Serialized findings in files no loader reads at load time (training state) stay visible but
// are not counted as running at load.
void mark_training_state(const LoadPlan& plan, std::vector<Finding>& findings) {
  for (const auto& point : plan.deserialization) {
    if (point.read_at_load) continue;
    for (auto& f : findings) {
      if (f.engine != "serialized" || f.file != point.file) continue;
      f.load_reachable = Reach::no;
      f.reach_path.clear();
    }
  }
}

// Seconds since the last lap.
class Stopwatch {
 public:
  double lap() {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - last_).count();
    last_ = now;
    return s;
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

TargetReport scan_snapshot(const Snapshot& snap, const std::vector<std::unique_ptr<Engine>>& engines, const Limits& limits,
                           unsigned threads) {
  TargetReport r;
  r.target = snap.target;
  r.kind = snap.kind;
  r.repo_id = snap.repo_id;
  r.revision = snap.revision;
  Stopwatch clock;
  ReadCache reads;
  r.plan = build_load_plan(snap, limits, &reads, threads != 0 ? threads : std::max(1u, std::thread::hardware_concurrency()));
  r.times.plan = clock.lap();
  r.findings = snap.findings;
  r.findings.insert(r.findings.end(), r.plan.findings.begin(), r.plan.findings.end());
  r.incomplete = snap.incomplete;
  r.incomplete.insert(r.incomplete.end(), r.plan.incomplete.begin(), r.plan.incomplete.end());

  const EngineContext ctx{snap, r.plan, limits, &reads, threads};
  std::vector<py::ModuleFacts> facts;
  std::vector<behaviour::FileModel> models;
  std::vector<std::pair<std::string, std::vector<py::CrossRepoCall>>> cross_repo_calls;
  bool calls_read = false;
  for (const auto& engine : engines) {
    EngineOutput out;
    engine->run(ctx, out);
    std::move(out.findings.begin(), out.findings.end(), std::back_inserter(r.findings));
    std::move(out.incomplete.begin(), out.incomplete.end(), std::back_inserter(r.incomplete));
    std::move(out.module_facts.begin(), out.module_facts.end(), std::back_inserter(facts));
    std::move(out.behaviour_models.begin(), out.behaviour_models.end(), std::back_inserter(models));
    std::move(out.cross_repo_calls.begin(), out.cross_repo_calls.end(), std::back_inserter(cross_repo_calls));
    calls_read = calls_read || out.python_calls_read;
    r.times.engines.emplace_back(engine->name(), clock.lap());
  }
  // Fail closed: a deserialization point that no engine of this build analyses is not clean.
  for (const auto& point : r.plan.deserialization) {
    const bool handled = std::any_of(engines.begin(), engines.end(), [&](const auto& e) { return e->handles_format(point.format); });
    if (!handled) r.incomplete.push_back({point.file, point.format + " content is not analysed by any engine that ran (" + point.loader + " would deserialize it)"});
  }
  py::Reachability reach = compute_reachability(snap, r.plan, limits, std::move(facts), &reads);
  // The files' bytes are needed later only to look for cross-repository calls when no Python
  // engine did: released here, before the behaviour stage, whose peak they would add to.
  if (calls_read) reads.clear();
  r.times.reachability = clock.lap();
  // What load-time code does, across functions and files, judged by whose data reaches each sink.
  auto behaviours = behaviour::analyse_repository(models, reach, ctx.thread_budget());
  models.clear();
  r.times.behaviour = clock.lap();
  std::move(behaviours.begin(), behaviours.end(), std::back_inserter(r.findings));
  apply_reachability(reach, r.plan, r.findings);
  // Load-time code that names another repository (torch.hub.load, nested from_pretrained): read on
  // the Python engine's walk, or here when no such engine ran.
  if (calls_read) add_cross_repo_calls(cross_repo_calls, reach, r.plan, r.findings);
  else add_cross_repo_code(snap, limits, &reads, reach, r.plan, r.findings);
  reads.clear();
  mark_training_state(r.plan, r.findings);

  // Several stages can report the same file for the same reason (an unreadable config, say).
  std::set<std::pair<std::string, std::string>> seen;
  std::erase_if(r.incomplete, [&](const Incomplete& i) { return !seen.insert({i.file, i.reason}).second; });

  finalize_fingerprints(r.findings);
  sort_findings(r.findings);
  r.verdict = verdict_of(r.findings);
  r.integrity = enforce::check_integrity(snap, threads);
  r.times.finish = clock.lap();
  return r;
}

TargetReport scan_remote_aware(const Snapshot& snap, const std::vector<std::unique_ptr<Engine>>& engines, const Limits& limits,
                               unsigned threads) {
  TargetReport r = scan_snapshot(snap, engines, limits, threads);
  if (!snap.remote) return r;
  constexpr int kRounds = 4;
  for (int round = 0;; ++round) {
    std::vector<Incomplete> problems;
    const bool more = snap.remote->fetch_missing(problems);
    if (more && round + 1 < kRounds) {
      r = scan_snapshot(snap, engines, limits, threads);
      continue;
    }
    if (more) {
      // Still reading bytes that were not there: the last scan saw holes as zeros.
      problems.push_back({"", "the parsers kept reading unfetched parts of remote files after " + std::to_string(kRounds) +
                                  " rounds; findings may be missing"});
    }
    r.incomplete.insert(r.incomplete.end(), problems.begin(), problems.end());
    break;
  }
  r.transfer = snap.remote->transfer();
  return r;
}

namespace {

// "hub:org/name" of a hub target id, or "" for a path.
std::string followed_key(const std::string& target) {
  auto id = hub::parse_hub_target(target);
  if (!id || !*id) return {};
  return std::string(hub::hub_name((*id)->hub)) + ":" + (*id)->repo;
}

// --follow-remote-code: the repositories the load plans name for code (transformers' auto_map
// "org/repo--module.Class"), fetched at the revision loading would use and scanned as targets of
// their own, recorded as followed from the target that named them. transformers takes such code
// from the other repository's default branch (code_revision unset), so no revision is asked for;
// a ModelScope target's references go to ModelScope (its patched get_class_from_dynamic_module),
// every other target's to the Hugging Face Hub. References made by load-time Python code
// (torch.hub.load, nested from_pretrained; platform/cross_repo_code.hpp) carry their own target and
// ref. Each repository is scanned once (cycles end there) and at most `depth` hops from a
// command-line target.
void follow_remote_code(ScanReport& report, const ScanOptions& options, const std::vector<std::unique_ptr<Engine>>& engines) {
  constexpr std::size_t kMaxFollowed = 32;  // a plan naming hundreds of repositories is not followed past this
  std::set<std::string> seen;
  for (const auto& t : report.targets) {
    if (const std::string k = followed_key(t.target); !k.empty()) seen.insert(k);
  }
  std::size_t level_begin = 0;
  std::size_t followed = 0;
  for (int depth = 1; depth <= options.follow_remote_code; ++depth) {
    const std::size_t level_end = report.targets.size();
    for (std::size_t i = level_begin; i < level_end; ++i) {
      const std::string origin = report.targets[i].target;
      auto origin_id = hub::parse_hub_target(origin);
      const bool from_modelscope = origin_id && *origin_id && (*origin_id)->hub == hub::Hub::modelscope;
      const std::vector<Trigger> triggers = report.targets[i].plan.triggers;
      for (const auto& tr : triggers) {
        if (tr.remote_repo.empty()) continue;  // a computed reference: recorded, not followed
        // References from load-time Python code carry their own target (hub and ref); auto_map's go
        // to the hub the target came from.
        const std::string spelled = !tr.remote_target.empty() ? tr.remote_target : (from_modelscope ? "ms:" : "hf:") + tr.remote_repo;
        TargetReport r;
        r.target = spelled;
        r.followed_from = origin;
        r.followed_reference = tr;
        r.followed_depth = depth;
        const std::string key = followed_key(spelled);
        if (key.empty()) {
          r.incomplete.push_back({tr.file, "the reference names '" + tr.remote_repo + "', not a repository id: not followed"});
          report.targets.push_back(std::move(r));
          continue;
        }
        if (!seen.insert(key).second) continue;  // scanned already, or on the way (a cycle)
        if (++followed > kMaxFollowed) {
          report.targets[i].incomplete.push_back({tr.file, "more than " + std::to_string(kMaxFollowed) +
                                                               " repositories named for code; " + tr.remote_repo + " was not followed"});
          continue;
        }
        auto snaps = open_target(spelled, options.limits, options.hub);
        if (!snaps) {
          r.incomplete.push_back({"", snaps.error().message});
          report.targets.push_back(std::move(r));
          continue;
        }
        for (auto& s : *snaps) {
          TargetReport scanned = scan_remote_aware(s, engines, options.limits);
          scanned.followed_from = r.followed_from;
          scanned.followed_reference = r.followed_reference;
          scanned.followed_depth = depth;
          report.targets.push_back(std::move(scanned));
        }
      }
    }
    level_begin = level_end;
    if (level_begin == report.targets.size()) break;
  }
}

}  // namespace

ScanReport scan(const std::vector<std::string>& targets, const ScanOptions& options,
                const std::vector<std::unique_ptr<Engine>>* engines) {
  std::vector<std::unique_ptr<Engine>> builtin;
  if (engines == nullptr) {
    builtin = make_builtin_engines();
    engines = &builtin;
  }
  // Resolve targets first (cheap), so cache roots expand into their repositories in order.
  struct Job {
    std::size_t slot;
    Snapshot snapshot;
  };
  ScanReport report;
  std::vector<Job> jobs;
  for (const auto& t : targets) {
    auto snaps = open_target(t, options.limits, options.hub);
    if (!snaps) {
      TargetReport bad;
      bad.target = t;
      bad.incomplete.push_back({"", snaps.error().message});
      report.targets.push_back(std::move(bad));
      continue;
    }
    for (auto& s : *snaps) {
      jobs.push_back({report.targets.size(), std::move(s)});
      report.targets.emplace_back();
    }
  }

  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned workers = static_cast<unsigned>(std::min<std::size_t>(options.jobs ? options.jobs : hw, std::max<std::size_t>(jobs.size(), 1)));
  // Targets scanned side by side share the cores: each engine gets its slice, not all of them.
  const unsigned per_target = std::max(1u, hw / workers);
  std::atomic<std::size_t> next{0};
  std::size_t done = 0;
  std::mutex progress_mutex;
  auto work = [&] {
    for (std::size_t i = next++; i < jobs.size(); i = next++) {
      report.targets[jobs[i].slot] = scan_remote_aware(jobs[i].snapshot, *engines, options.limits, per_target);
      jobs[i].snapshot = Snapshot{};  // release mappings and archive members early
      if (options.progress) {
        std::lock_guard lock(progress_mutex);
        options.progress(++done, jobs.size(), report.targets[jobs[i].slot].target);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (options.follow_remote_code > 0) follow_remote_code(report, options, *engines);
  return report;
}

}  // namespace mg
