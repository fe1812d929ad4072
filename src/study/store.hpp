// The study's results store: one SQLite file (WAL) holding repositories to scan and, per
// (repository, resolved commit, rules version), what the pipeline found (docs/study.md has the
// schema and every report query).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/scan.hpp"
#include "study/report.hpp"
#include "study/sqlite.hpp"

namespace mg::study {

// Ordered schema steps; step i (1-based) takes a file from version i-1 to i. Written in SQLite's
// dialect; PostgreSQL runs the same steps through postgres_dialect() (study/pg_store.hpp).
const std::vector<const char*>& migrations();
inline int latest_schema_version() { return static_cast<int>(migrations().size()); }

// Runs the steps a file lacks, up to `target` (latest by default), each in its own transaction.
// Returns the version reached. A file newer than this build is an error (never downgraded).
int migrate(Db& db, int target = -1);
int schema_version(Db& db);  // 0 for an empty file

// Identifies the rule set that produced results: the tool version and a digest of every rule's
// id, severity, CWE and equivalents. Results of another rules version are re-scanned.
const std::string& rules_version();

// Deterministic shard of a repository id (FNV-1a 64 of the id, mod n): the same on every machine.
std::uint64_t shard_key(const std::string& repo_id);
inline bool in_shard(const std::string& repo_id, unsigned index, unsigned count) {
  return count <= 1 || shard_key(repo_id) % count == index;
}

struct Repository {
  std::int64_t id = 0;
  std::string repo_id;   // "owner/name"
  std::string source;    // what the scanner opens: a folder path or a hub target (hf:owner/name)
  std::string platform;  // the hub or group the study counts it under
  std::string tags;      // comma-separated tags from a hub listing ("" when unknown)
};

// A file of a scanned snapshot, as the files table keeps it.
struct FileRow {
  std::string path;
  std::uint64_t size = 0;
  std::optional<std::string> sha256;  // absent for files over the hashing cap or not fetched
  bool archive_member = false;        // a member of an archive in the repository (`archive!member`)
};

struct Status {
  std::int64_t repositories = 0;
  std::int64_t done = 0;       // with results for the current rules version
  std::int64_t failed = 0;     // not done, with an error recorded
  std::int64_t pending = 0;    // not done (failed included)
  std::int64_t findings = 0;
  std::vector<std::pair<std::string, std::int64_t>> per_platform;  // repositories per platform
};

// What every study store offers the CLI, whatever holds the data: the SQLite file (Store) or a
// PostgreSQL database (PgStore, study/pg_store.hpp). Scanning differs (threads over one file;
// leased jobs over the database), so runners are per store.
class StudyStore {
 public:
  virtual ~StudyStore() = default;
  virtual int version() = 0;  // schema version reached
  // The study of that name, created when `create` (else an error naming the study).
  virtual std::int64_t study(const std::string& name, bool create) = 0;
  // Adds the repositories the study lacks, in one transaction; returns how many were added.
  virtual std::size_t add_repositories(std::int64_t study, const std::vector<Repository>& repos) = 0;
  virtual Status status(std::int64_t study, const std::string& rules_version) = 0;
  // The report's tables computed where the data is (study/report.hpp).
  virtual std::vector<Table> report(const std::string& study) = 0;
};

// A location naming a PostgreSQL database (postgresql://... or postgres://...) rather than a file.
bool is_postgres_location(const std::string& location);
// Opens the store a location names, migrating it to the latest schema.
std::unique_ptr<StudyStore> open_store(const std::string& location, bool create);

class Store : public StudyStore {
 public:
  // Opens a store file, migrating it to the latest schema. `create`: make the file when missing.
  Store(const std::string& path, bool create);

  Db& db() { return db_; }
  std::vector<Table> report(const std::string& study) override { return run_report(db_, study); }
  int version() override { return schema_version(db_); }

  // The study of that name, created when `create` (else an error naming the study).
  std::int64_t study(const std::string& name, bool create) override;

  // Adds a repository unless the study has it already (true = added).
  bool add_repository(std::int64_t study, const Repository& r);
  std::size_t add_repositories(std::int64_t study, const std::vector<Repository>& repos) override;

  // Repositories without results for `rules_version`, in id order, restricted to a shard.
  std::vector<Repository> pending(std::int64_t study, const std::string& rules_version, unsigned shard_index = 0,
                                  unsigned shard_count = 1);

  bool done(std::int64_t repository, const std::string& commit, const std::string& rules_version);

  // Writes one repository's results in one transaction; an already recorded (repository, commit,
  // rules version) is left as it is (false).
  bool record(const Repository& repo, const std::string& commit, const std::string& rules_version,
              const std::vector<TargetReport>& targets, const std::vector<std::vector<FileRow>>& files,
              std::int64_t duration_ms);

  // Records why a repository could not be scanned; it stays pending and is retried next run.
  void record_error(const Repository& repo, const std::string& commit, const std::string& rules_version,
                    const std::string& message);

  Status status(std::int64_t study, const std::string& rules_version) override;

 private:
  Db db_;
};

}  // namespace mg::study
