#include "study/runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <condition_variable>
#include <cstdlib>
#include <unistd.h>

#include "core/hash.hpp"
#include "engines/engine.hpp"

namespace mg::study {

namespace {

namespace fs = std::filesystem;

std::string read_small(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string s;
  if (!in) return s;
  s.resize(4096);
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<std::size_t>(in.gcount()));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

bool is_commit_hex(const std::string& s) {
  return (s.size() == 40 || s.size() == 64) && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// HEAD of a git checkout at `root` (loose ref or packed-refs), or "" when it is not one. Read as
// files: the scanner runs no git.
std::string git_head(const std::string& root) {
  if (root.empty()) return {};
  const fs::path git = fs::path(root) / ".git";
  std::error_code ec;
  if (!fs::is_directory(git, ec)) return {};
  const std::string head = read_small(git / "HEAD");
  if (is_commit_hex(head)) return head;
  if (!head.starts_with("ref: ")) return {};
  const std::string ref = head.substr(5);
  if (ref.find("..") != std::string::npos) return {};
  const std::string loose = read_small(git / ref);
  if (is_commit_hex(loose)) return loose;
  std::ifstream packed(git / "packed-refs");
  for (std::string line; std::getline(packed, line);) {
    if (line.size() > 41 && line.substr(41) == ref && is_commit_hex(line.substr(0, 40))) return line.substr(0, 40);
  }
  return {};
}

}  // namespace

std::string resolve_commit(const Snapshot& snap, std::vector<FileRow>& files, std::uint64_t hash_cap) {
  files.clear();
  std::string listing;
  for (const auto& f : snap.files) {
    FileRow row{f.path, f.size, std::nullopt, f.nested};
    // Remote files are not fetched just to hash them; local ones are read (mapped) when small enough.
    if (!snap.remote && f.size <= hash_cap) {
      if (auto blob = snap.read(f)) row.sha256 = sha256_hex((*blob)->text());
    }
    listing += f.path;
    listing += '\0';
    listing += std::to_string(f.size);
    listing += '\0';
    if (row.sha256) {
      listing += *row.sha256;
    } else if (!f.abs_path.empty()) {  // over the cap: its modification time stands in for content
      std::error_code ec;
      const auto t = fs::last_write_time(f.abs_path, ec);
      if (!ec) listing += std::to_string(t.time_since_epoch().count());
    }
    listing += '\n';
    files.push_back(std::move(row));
  }
  if (!snap.revision.empty()) return snap.revision;
  if (std::string head = git_head(snap.root); !head.empty()) return head;
  return "tree:" + sha256_hex(listing);
}

RunCounts run_study(Store& store, std::int64_t study, const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const std::string& rules = rules_version();
  std::vector<Repository> todo = store.pending(study, rules, options.shard_index, options.shard_count);
  if (options.limit != 0 && todo.size() > options.limit) todo.resize(options.limit);

  RunCounts counts;
  counts.total = todo.size();
  if (todo.empty()) return counts;

  const auto engines = make_builtin_engines();
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned workers = static_cast<unsigned>(std::min<std::size_t>(options.workers ? options.workers : hw, todo.size()));
  // Repositories scanned side by side share the cores, as scan() shares them between targets.
  const unsigned per_repo = std::max(1u, hw / workers);

  std::mutex store_mutex;  // one connection; SQLite serialises writers anyway
  std::atomic<std::size_t> next{0};
  std::exception_ptr fatal;  // a store failure stops the run (results could not be kept)

  auto finish = [&](const std::string& repo_id, std::size_t RunCounts::*which, std::uint64_t findings) {
    // Called with store_mutex held.
    ++(counts.*which);
    counts.findings += findings;
    counts.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.progress) options.progress(counts, repo_id);
  };

  auto work = [&] {
    for (std::size_t i = next++; i < todo.size(); i = next++) {
      const Repository& repo = todo[i];
      const auto t0 = std::chrono::steady_clock::now();
      std::string commit;
      try {
        auto snaps = open_target(repo.source, options.limits, options.hub);
        if (!snaps) {
          std::lock_guard lock(store_mutex);
          if (fatal) return;
          store.record_error(repo, "", rules, snaps.error().message);
          finish(repo.repo_id, &RunCounts::failed, 0);
          continue;
        }
        std::vector<std::vector<FileRow>> files(snaps->size());
        std::vector<std::string> commits;
        for (std::size_t s = 0; s < snaps->size(); ++s) commits.push_back(resolve_commit((*snaps)[s], files[s]));
        if (commits.size() == 1) {
          commit = commits[0];
        } else {
          std::string joined;
          for (const auto& c : commits) joined += c + '\n';
          commit = "set:" + sha256_hex(joined);
        }
        {
          std::lock_guard lock(store_mutex);
          if (fatal) return;
          if (store.done(repo.id, commit, rules)) {
            finish(repo.repo_id, &RunCounts::skipped, 0);
            continue;
          }
        }
        std::vector<TargetReport> reports;
        std::uint64_t findings = 0;
        for (auto& snap : *snaps) {
          reports.push_back(scan_remote_aware(snap, engines, options.limits, per_repo));
          findings += reports.back().findings.size();
          snap = Snapshot{};  // release mappings early
        }
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
        std::lock_guard lock(store_mutex);
        if (fatal) return;
        const auto w0 = std::chrono::steady_clock::now();
        const bool written = store.record(repo, commit, rules, reports, files, ms);
        counts.store_s += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
        finish(repo.repo_id, written ? &RunCounts::scanned : &RunCounts::skipped, written ? findings : 0);
      } catch (const StoreError&) {
        std::lock_guard lock(store_mutex);
        if (!fatal) fatal = std::current_exception();
        return;
      } catch (const std::exception& e) {
        // The analysis itself failed on this repository: keep the reason, retry next run.
        std::lock_guard lock(store_mutex);
        if (fatal) return;
        try {
          store.record_error(repo, commit, rules, std::string("scan failed: ") + e.what());
        } catch (const StoreError&) {
          fatal = std::current_exception();
          return;
        }
        finish(repo.repo_id, &RunCounts::failed, 0);
      }
    }
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (fatal) std::rethrow_exception(fatal);
  counts.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return counts;
}

namespace {

// What a worker learnt about one repository: results, or why there are none.
struct Scanned {
  bool ok = false;
  std::string error;
  std::string commit;
  std::vector<TargetReport> reports;
  std::vector<std::vector<FileRow>> files;
  std::uint64_t findings = 0;
  std::int64_t ms = 0;
};

template <class Engines>
Scanned scan_one(const Repository& repo, const RunOptions& options, const Engines& engines, unsigned per_repo) {
  Scanned out;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    auto snaps = open_target(repo.source, options.limits, options.hub);
    if (!snaps) {
      out.error = snaps.error().message;
      return out;
    }
    out.files.resize(snaps->size());
    std::vector<std::string> commits;
    for (std::size_t s = 0; s < snaps->size(); ++s) commits.push_back(resolve_commit((*snaps)[s], out.files[s]));
    if (commits.size() == 1) {
      out.commit = commits[0];
    } else {
      std::string joined;
      for (const auto& c : commits) joined += c + '\n';
      out.commit = "set:" + sha256_hex(joined);
    }
    for (auto& snap : *snaps) {
      out.reports.push_back(scan_remote_aware(snap, engines, options.limits, per_repo));
      out.findings += out.reports.back().findings.size();
      snap = Snapshot{};
    }
    out.ok = true;
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    out.error = std::string("scan failed: ") + e.what();
  }
  out.ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

std::string worker_owner() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "unknown");
  return std::string(host) + ":" + std::to_string(getpid());
}

}  // namespace

RunCounts run_pg_study(const std::string& uri, const std::string& study_name, const RunOptions& options,
                       const QueuePolicy& policy, const std::vector<std::pair<std::string, double>>& rates) {
  const auto start = std::chrono::steady_clock::now();
  const std::string& rules = rules_version();
  const std::string owner = worker_owner();
  RunCounts counts;
  std::int64_t study = 0;
  {
    PgStore setup(uri);
    study = setup.study(study_name, false);
    for (const auto& [platform, rate] : rates) setup.set_rate(platform, rate);
    setup.enqueue(study, rules);
    counts.total = static_cast<std::size_t>(setup.unfinished(study, rules, policy));
  }
  if (counts.total == 0) return counts;
  if (options.limit != 0) counts.total = std::min(counts.total, options.limit);

  const auto engines = make_builtin_engines();
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned workers = static_cast<unsigned>(std::min<std::size_t>(options.workers ? options.workers : hw, counts.total));
  const unsigned per_repo = std::max(1u, hw / workers);
  // Test hook (tests/study/pg_study_test.py): hold each claimed job this long before scanning, so
  // a SIGKILL reliably lands while a lease is held. Not for production use.
  const char* hold_env = std::getenv("MODELGATE_STUDY_TEST_HOLD_MS");
  const long hold_ms = hold_env != nullptr ? std::strtol(hold_env, nullptr, 10) : 0;

  std::mutex mutex;  // counts, progress, fatal
  std::exception_ptr fatal;
  std::atomic<std::size_t> claimed{0};
  std::atomic<bool> stopping{false};
  std::condition_variable stop_cv;
  std::mutex stop_mutex;

  auto finish = [&](const std::string& repo_id, std::size_t RunCounts::*which, std::uint64_t findings, double store_s) {
    std::lock_guard lock(mutex);
    ++(counts.*which);
    counts.findings += findings;
    counts.store_s += store_s;
    counts.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (options.progress) options.progress(counts, repo_id);
  };
  auto nap = [&](double seconds) {
    std::unique_lock lock(stop_mutex);
    stop_cv.wait_for(lock, std::chrono::duration<double>(seconds), [&] { return stopping.load(); });
  };

  auto work = [&] {
    try {
      PgStore store(uri);
      while (!stopping) {
        if (options.limit != 0 && claimed >= options.limit) return;
        auto job = store.claim(study, rules, owner, policy);
        if (!job) {
          // Jobs this process holds finish here; others' may come back when their worker dies.
          if (store.unfinished(study, rules, policy, owner) == 0) return;
          nap(std::min(0.25, policy.lease_s / 4));
          continue;
        }
        ++claimed;
        if (hold_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
        // The platform's token bucket, shared by every worker of the study.
        for (double wait = store.take_token(job->repo.platform); wait > 0; wait = store.take_token(job->repo.platform)) {
          std::this_thread::sleep_for(std::chrono::duration<double>(std::min(wait, 5.0)));
        }
        Scanned s = scan_one(job->repo, options, engines, per_repo);
        if (!s.ok) {
          store.fail(*job, owner, s.commit, rules, s.error, policy);
          finish(job->repo.repo_id, &RunCounts::failed, 0, 0);
          continue;
        }
        const auto w0 = std::chrono::steady_clock::now();
        const Completion c = store.complete(*job, owner, s.commit, rules, s.reports, s.files, s.ms);
        const double store_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
        finish(job->repo.repo_id, c == Completion::written ? &RunCounts::scanned : &RunCounts::skipped,
               c == Completion::written ? s.findings : 0, store_s);
      }
    } catch (const std::exception&) {
      std::lock_guard lock(mutex);
      if (!fatal) fatal = std::current_exception();
      stopping = true;
      stop_cv.notify_all();
    }
  };

  std::thread heart([&] {
    try {
      PgStore store(uri);
      while (!stopping) {
        nap(policy.lease_s / 3);
        if (!stopping) store.heartbeat(owner, policy);
      }
    } catch (const std::exception&) {
      // Without heartbeats the leases expire and other workers take the jobs over; nothing is lost.
    }
  });
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  stopping = true;
  stop_cv.notify_all();
  heart.join();
  if (fatal) std::rethrow_exception(fatal);
  counts.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return counts;
}

}  // namespace mg::study
