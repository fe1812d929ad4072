// The study store on PostgreSQL (libpq): the same schema and migration steps as the SQLite file,
// plus the job queue workers on several processes or machines claim from (docs/study.md).
// Every statement is prepared once per connection and run with bound parameters.
#pragma once
#include <libpq-fe.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "study/store.hpp"

namespace mg::study {

// SQLite schema text in PostgreSQL's dialect: 64-bit integers, identity keys, double precision.
std::string postgres_dialect(std::string_view sqlite_sql);

using PgParam = std::optional<std::string>;  // nullopt = NULL

class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  ~PgResult() { PQclear(r_); }
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  PgResult& operator=(PgResult&&) = delete;
  ExecStatusType status() const { return PQresultStatus(r_); }
  int rows() const { return PQntuples(r_); }
  int columns() const { return PQnfields(r_); }
  std::string column_name(int c) const { return PQfname(r_, c); }
  bool is_null(int row, int c) const { return PQgetisnull(r_, row, c) != 0; }
  std::string text(int row, int c) const { return std::string(PQgetvalue(r_, row, c), static_cast<std::size_t>(PQgetlength(r_, row, c))); }
  std::int64_t integer(int row, int c) const;
  // Whether a column's type is a number (not text), for right-aligning report columns.
  bool is_number(int c) const;
  std::int64_t affected() const;

 private:
  PGresult* r_;
};

class PgConn {
 public:
  explicit PgConn(const std::string& uri);
  ~PgConn();
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Fixed SQL text (schema steps, BEGIN/COMMIT); never data.
  void exec(const char* sql);
  // A statement prepared on first use on this connection, run with these parameters.
  PgResult query(const char* sql, const std::vector<PgParam>& params = {});

 private:
  [[noreturn]] void fail(const std::string& what);
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL text -> statement name
};

// BEGIN ... COMMIT, rolled back when destroyed uncommitted.
class PgTransaction {
 public:
  explicit PgTransaction(PgConn& c) : c_(c) { c_.exec("BEGIN"); }
  ~PgTransaction();
  PgTransaction(const PgTransaction&) = delete;
  PgTransaction& operator=(const PgTransaction&) = delete;
  void commit() {
    c_.exec("COMMIT");
    done_ = true;
  }

 private:
  PgConn& c_;
  bool done_ = false;
};

// A repository a worker holds the lease of.
struct Job {
  Repository repo;
  std::int64_t attempt = 0;  // 1 for the first claim
};

struct QueuePolicy {
  double lease_s = 60;         // a worker that stops heart-beating loses the job after this long
  std::int64_t max_attempts = 3;  // then the job is `failed` (errors table keeps each reason)
  double backoff_s = 30;       // retry after backoff_s * 2^(attempt-1), capped at one hour
};

enum class Completion { written, already_recorded, lease_lost };

class PgStore : public StudyStore {
 public:
  // Connects and migrates (concurrent openers wait on an advisory lock).
  explicit PgStore(const std::string& uri);

  int version() override;
  std::int64_t study(const std::string& name, bool create) override;
  std::size_t add_repositories(std::int64_t study, const std::vector<Repository>& repos) override;
  Status status(std::int64_t study, const std::string& rules_version) override;
  // The report queries run on the server (study/report.hpp).
  std::vector<Table> report(const std::string& study) override;
  PgConn& conn() { return c_; }

  // Makes a job for every repository of the study without results for `rules_version` (idempotent;
  // every worker calls it at start). Returns jobs added.
  std::int64_t enqueue(std::int64_t study, const std::string& rules_version);
  // Claims one due job (pending and due, or running with an expired lease) with
  // SELECT ... FOR UPDATE SKIP LOCKED; nothing when none is due now.
  std::optional<Job> claim(std::int64_t study, const std::string& rules_version, const std::string& owner,
                           const QueuePolicy& policy);
  // Extends every lease `owner` holds. Returns the number of leases extended.
  std::int64_t heartbeat(const std::string& owner, const QueuePolicy& policy);
  // Writes results and marks the job done in one transaction, only while `owner` holds the lease.
  Completion complete(const Job& job, const std::string& owner, const std::string& commit, const std::string& rules_version,
                      const std::vector<TargetReport>& targets, const std::vector<std::vector<FileRow>>& files,
                      std::int64_t duration_ms);
  // Records the error and schedules a retry with backoff, or marks the job failed after the last attempt.
  void fail(const Job& job, const std::string& owner, const std::string& commit, const std::string& rules_version,
            const std::string& message, const QueuePolicy& policy);
  // Jobs still to finish: pending, or running (a running job whose lease expired after its last
  // attempt counts as finished: it is failed by the next claim sweep). Jobs `except_owner` holds
  // are left out: that process finishes them itself.
  std::int64_t unfinished(std::int64_t study, const std::string& rules_version, const QueuePolicy& policy,
                          const std::string& except_owner = "");

  // Token buckets per platform (hub requests per second across all workers).
  void set_rate(const std::string& platform, double per_second);
  // Takes one token for `platform`; returns seconds to wait before trying again (0 = taken, or no limit).
  double take_token(const std::string& platform);

 private:
  PgConn c_;
};

}  // namespace mg::study
