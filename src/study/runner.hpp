// Runs the pipeline over a study's pending repositories: one repository per task on N worker
// threads, each repository's results written in one transaction, so a killed run loses only the
// repositories in flight and a re-run skips what is recorded.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "study/pg_store.hpp"
#include "study/store.hpp"

namespace mg::study {

struct RunCounts {
  std::size_t total = 0;    // pending repositories of this shard at start
  std::size_t scanned = 0;  // results written
  std::size_t skipped = 0;  // results already there for the resolved commit (another shard, a race)
  std::size_t failed = 0;   // error recorded; retried next run
  std::uint64_t findings = 0;
  double elapsed_s = 0;
  double store_s = 0;  // time spent writing results (transactions), summed over workers
  std::size_t finished() const { return scanned + skipped + failed; }
};

struct RunOptions {
  unsigned workers = 0;  // 0 = hardware concurrency
  unsigned shard_index = 0;
  unsigned shard_count = 1;
  std::size_t limit = 0;  // scan at most this many repositories (0 = all pending)
  Limits limits;
  hub::HubOptions hub = hub::HubOptions::from_env();
  // After each repository (serialised; from worker threads).
  std::function<void(const RunCounts&, const std::string& repo_id)> progress;
};

// The commit a snapshot resolves to: the hub's or cache's commit; HEAD of a git checkout; else
// "tree:" and a SHA-256 over the file list (path, size, content hash) so an edited folder is a new
// revision. Fills `files` with each file's row (content hashed up to `hash_cap` bytes).
std::string resolve_commit(const Snapshot& snapshot, std::vector<FileRow>& files, std::uint64_t hash_cap = 64ull << 20);

RunCounts run_study(Store& store, std::int64_t study, const RunOptions& options);

// One worker process on a PostgreSQL store: `options.workers` threads, each with its own
// connection, claim jobs (SKIP LOCKED), scan, and complete them in one transaction with the
// results; a heartbeat thread extends this process's leases. Returns when no job is left to run
// (jobs leased by live workers elsewhere are waited for: their worker may die). Shards do not
// apply: the queue hands each repository to one worker. `rates`: platform -> requests per second,
// stored for every worker of the study.
RunCounts run_pg_study(const std::string& uri, const std::string& study_name, const RunOptions& options,
                       const QueuePolicy& policy, const std::vector<std::pair<std::string, double>>& rates = {});

}  // namespace mg::study
