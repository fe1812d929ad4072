#include "study/store.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <set>

#include "core/hash.hpp"
#include "core/rule.hpp"
#include "report/report.hpp"

namespace mg::study {

namespace {

// Version 1: the results model. Version 2: hub tags on repositories (the paper's custom_code tag
// criterion comes from the listing), attempt counts on errors, files that are archive members, and
// the indexes the report uses.
// Append steps; never edit one that has shipped.
const char* const kStep1 = R"sql(
CREATE TABLE studies(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL);
CREATE TABLE repositories(
  id INTEGER PRIMARY KEY,
  study_id INTEGER NOT NULL REFERENCES studies(id),
  repo_id TEXT NOT NULL,
  source TEXT NOT NULL,
  platform TEXT NOT NULL,
  shard_key INTEGER NOT NULL,
  added_at TEXT NOT NULL,
  UNIQUE(study_id, repo_id));
CREATE TABLE revisions(
  id INTEGER PRIMARY KEY,
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  commit_id TEXT NOT NULL,
  rules_version TEXT NOT NULL,
  scanned_at TEXT NOT NULL,
  duration_ms INTEGER NOT NULL,
  UNIQUE(repository_id, commit_id, rules_version));
CREATE TABLE targets(
  id INTEGER PRIMARY KEY,
  revision_id INTEGER NOT NULL REFERENCES revisions(id),
  target TEXT NOT NULL,
  kind TEXT NOT NULL,
  platform TEXT NOT NULL,
  verdict TEXT,
  partial INTEGER NOT NULL,
  custom_code_tag INTEGER NOT NULL,
  paper_entry_files INTEGER NOT NULL,
  paper_prefixed_files INTEGER NOT NULL,
  paper_custom_code INTEGER NOT NULL,
  precise_custom_code INTEGER NOT NULL);
CREATE TABLE triggers(
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  file TEXT NOT NULL, key TEXT NOT NULL, loader TEXT NOT NULL, gate TEXT NOT NULL,
  module TEXT NOT NULL, symbol TEXT NOT NULL, remote_repo TEXT NOT NULL, rule_id TEXT NOT NULL);
CREATE TABLE files(
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT,
  python INTEGER NOT NULL,
  execution_relevant INTEGER NOT NULL);
CREATE TABLE findings(
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  rule_id TEXT NOT NULL,
  engine TEXT NOT NULL,
  kind TEXT NOT NULL,
  severity TEXT NOT NULL,
  confidence TEXT NOT NULL,
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  reachable TEXT NOT NULL,
  bandit TEXT NOT NULL, semgrep TEXT NOT NULL, codeql TEXT NOT NULL,
  fingerprint TEXT NOT NULL);
CREATE TABLE finding_cwes(
  finding_id INTEGER NOT NULL REFERENCES findings(id),
  cwe INTEGER NOT NULL);
CREATE TABLE deserialization_points(
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  file TEXT NOT NULL, format TEXT NOT NULL, loader TEXT NOT NULL, read_at_load INTEGER NOT NULL);
CREATE TABLE incomplete(
  id INTEGER PRIMARY KEY,
  target_id INTEGER NOT NULL REFERENCES targets(id),
  file TEXT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE errors(
  id INTEGER PRIMARY KEY,
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  commit_id TEXT NOT NULL,
  rules_version TEXT NOT NULL,
  message TEXT NOT NULL,
  at TEXT NOT NULL);
)sql";

const char* const kStep2 = R"sql(
ALTER TABLE repositories ADD COLUMN tags TEXT NOT NULL DEFAULT '';
ALTER TABLE errors ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
ALTER TABLE files ADD COLUMN archive_member INTEGER NOT NULL DEFAULT 0;
CREATE INDEX repositories_study ON repositories(study_id, platform);
CREATE INDEX targets_revision ON targets(revision_id);
CREATE INDEX triggers_target ON triggers(target_id);
CREATE INDEX files_target ON files(target_id);
CREATE INDEX findings_target ON findings(target_id);
CREATE INDEX finding_cwes_finding ON finding_cwes(finding_id);
CREATE INDEX deser_target ON deserialization_points(target_id);
CREATE INDEX errors_repository ON errors(repository_id);
)sql";

// Version 3: the job queue PostgreSQL workers claim from (docs/study.md, "Workers"), and one
// token bucket per platform that rate-limits hub requests across workers. Times are seconds since
// the epoch by the database's clock, so machines with skewed clocks agree on leases. The SQLite
// runner does not use these tables (it has one process per file).
const char* const kStep3 = R"sql(
CREATE TABLE jobs(
  study_id INTEGER NOT NULL REFERENCES studies(id),
  repository_id INTEGER NOT NULL REFERENCES repositories(id),
  rules_version TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at REAL NOT NULL,
  lease_owner TEXT,
  lease_expires REAL,
  last_error TEXT,
  PRIMARY KEY(repository_id, rules_version));
CREATE INDEX jobs_open ON jobs(study_id, rules_version, repository_id) WHERE state IN ('pending', 'running');
CREATE TABLE hub_buckets(
  platform TEXT PRIMARY KEY,
  rate REAL NOT NULL,
  burst REAL NOT NULL,
  tokens REAL NOT NULL,
  updated_at REAL NOT NULL);
)sql";

std::string now_utc() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string_view reachable_word(Reach r) {
  switch (r) {
    case Reach::yes: return "yes";
    case Reach::no: return "no";
    case Reach::unknown: break;
  }
  return "unknown";
}

}  // namespace

const std::vector<const char*>& migrations() {
  static const std::vector<const char*> steps{kStep1, kStep2, kStep3};
  return steps;
}

int schema_version(Db& db) {
  Stmt has(db, "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'");
  has.step();
  if (has.integer(0) == 0) return 0;
  Stmt v(db, "SELECT coalesce(max(version), 0) FROM schema_version");
  v.step();
  return static_cast<int>(v.integer(0));
}

int migrate(Db& db, int target) {
  const int latest = latest_schema_version();
  if (target < 0) target = latest;
  {
    Transaction tx(db);
    db.exec("CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL, applied_at TEXT NOT NULL)");
    tx.commit();
  }
  int current = schema_version(db);
  if (current > latest) {
    throw StoreError("study store has schema version " + std::to_string(current) + ", newer than this modelgate (" +
                     std::to_string(latest) + ")");
  }
  while (current < target) {
    Transaction tx(db);
    // Another process may have migrated while this one waited for the write lock.
    current = schema_version(db);
    if (current >= target) break;
    db.exec(migrations()[static_cast<std::size_t>(current)]);
    Stmt ins(db, "INSERT INTO schema_version(version, applied_at) VALUES(?, ?)");
    ins.bind(1, current + 1).bind(2, now_utc()).run();
    tx.commit();
    ++current;
  }
  return current;
}

const std::string& rules_version() {
  static const std::string version = [] {
    std::string text;
    for (const auto& r : RuleRegistry::builtin().all()) {
      text += r.id + '\t' + std::string(to_string(r.severity)) + '\t';
      for (int c : r.cwe) text += std::to_string(c) + ',';
      text += '\t' + r.equivalents.bandit + '\t' + r.equivalents.semgrep + '\t' + r.equivalents.codeql + '\t' + r.kind + '\n';
    }
    return std::string(kToolVersion) + "+" + sha256_hex(text).substr(0, 12);
  }();
  return version;
}

std::uint64_t shard_key(const std::string& repo_id) {
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a 64 offset basis
  for (unsigned char c : repo_id) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

Store::Store(const std::string& path, bool create) : db_(path, create) { migrate(db_); }

std::int64_t Store::study(const std::string& name, bool create) {
  Stmt find(db_, "SELECT id FROM studies WHERE name = ?");
  find.bind(1, name);
  if (find.step()) return find.integer(0);
  if (!create) throw StoreError("no study named '" + name + "' in this store (run `modelgate study init`)");
  Stmt ins(db_, "INSERT INTO studies(name, created_at) VALUES(?, ?)");
  ins.bind(1, name).bind(2, now_utc()).run();
  return db_.last_insert_id();
}

bool Store::add_repository(std::int64_t study, const Repository& r) {
  Stmt ins(db_,
           "INSERT INTO repositories(study_id, repo_id, source, platform, shard_key, added_at, tags) "
           "VALUES(?, ?, ?, ?, ?, ?, ?) ON CONFLICT(study_id, repo_id) DO NOTHING");
  // The shard key is stored as the signed image of the 64-bit hash (SQLite integers are signed).
  ins.bind(1, study).bind(2, r.repo_id).bind(3, r.source).bind(4, r.platform)
      .bind(5, static_cast<std::int64_t>(shard_key(r.repo_id))).bind(6, now_utc()).bind(7, r.tags);
  ins.run();
  return sqlite3_changes(db_.handle()) > 0;
}

std::size_t Store::add_repositories(std::int64_t study, const std::vector<Repository>& repos) {
  Transaction tx(db_);
  std::size_t added = 0;
  for (const auto& r : repos) added += add_repository(study, r) ? 1 : 0;
  tx.commit();
  return added;
}

bool is_postgres_location(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::vector<Repository> Store::pending(std::int64_t study, const std::string& rules_version, unsigned shard_index,
                                       unsigned shard_count) {
  Stmt q(db_,
         "SELECT r.id, r.repo_id, r.source, r.platform, r.tags FROM repositories r WHERE r.study_id = ? AND NOT EXISTS "
         "(SELECT 1 FROM revisions v WHERE v.repository_id = r.id AND v.rules_version = ?) ORDER BY r.id");
  q.bind(1, study).bind(2, rules_version);
  std::vector<Repository> out;
  while (q.step()) {
    Repository r{q.integer(0), q.text(1), q.text(2), q.text(3), q.text(4)};
    if (in_shard(r.repo_id, shard_index, shard_count)) out.push_back(std::move(r));
  }
  return out;
}

bool Store::done(std::int64_t repository, const std::string& commit, const std::string& rules_version) {
  Stmt q(db_, "SELECT 1 FROM revisions WHERE repository_id = ? AND commit_id = ? AND rules_version = ?");
  q.bind(1, repository).bind(2, commit).bind(3, rules_version);
  return q.step();
}

bool Store::record(const Repository& repo, const std::string& commit, const std::string& rules_version,
                   const std::vector<TargetReport>& targets, const std::vector<std::vector<FileRow>>& files,
                   std::int64_t duration_ms) {
  Transaction tx(db_);
  Stmt rev(db_,
           "INSERT INTO revisions(repository_id, commit_id, rules_version, scanned_at, duration_ms) VALUES(?, ?, ?, ?, ?) "
           "ON CONFLICT(repository_id, commit_id, rules_version) DO NOTHING");
  rev.bind(1, repo.id).bind(2, commit).bind(3, rules_version).bind(4, now_utc()).bind(5, duration_ms).run();
  if (sqlite3_changes(db_.handle()) == 0) return false;  // another worker or shard got there first
  const std::int64_t revision = db_.last_insert_id();

  Stmt tgt(db_,
           "INSERT INTO targets(revision_id, target, kind, platform, verdict, partial, custom_code_tag, paper_entry_files, "
           "paper_prefixed_files, paper_custom_code, precise_custom_code) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  Stmt trig(db_,
            "INSERT INTO triggers(target_id, file, key, loader, gate, module, symbol, remote_repo, rule_id) "
            "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  Stmt file(db_,
            "INSERT INTO files(target_id, path, size, sha256, python, execution_relevant, archive_member) "
            "VALUES(?, ?, ?, ?, ?, ?, ?)");
  Stmt fnd(db_,
           "INSERT INTO findings(target_id, rule_id, engine, kind, severity, confidence, file, line, reachable, bandit, "
           "semgrep, codeql, fingerprint) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  Stmt cwe(db_, "INSERT INTO finding_cwes(finding_id, cwe) VALUES(?, ?)");
  Stmt deser(db_, "INSERT INTO deserialization_points(target_id, file, format, loader, read_at_load) VALUES(?, ?, ?, ?, ?)");
  Stmt inc(db_, "INSERT INTO incomplete(target_id, file, reason) VALUES(?, ?, ?)");

  // The paper's tag criterion: the hub's custom_code tag when the listing gave tags, else what the
  // Hub derives it from (config.json auto_map), which the load plan records.
  const bool listed_tag = ("," + repo.tags + ",").find(",custom_code,") != std::string::npos;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    const TargetReport& r = targets[t];
    const PaperCriteria& p = r.plan.paper;
    const bool tag = listed_tag || p.custom_code_tag;
    const bool paper = tag || !p.entry_files.empty() || !p.prefixed_files.empty();
    tgt.bind(1, revision).bind(2, r.target).bind(3, r.kind).bind(4, r.plan.platform);
    if (r.verdict) {
      tgt.bind(5, to_string(*r.verdict));
    } else {
      tgt.bind_null(5);
    }
    tgt.bind(6, r.partial()).bind(7, tag).bind(8, static_cast<std::int64_t>(p.entry_files.size()))
        .bind(9, static_cast<std::int64_t>(p.prefixed_files.size())).bind(10, paper).bind(11, r.plan.custom_code_required());
    tgt.run();
    const std::int64_t target = db_.last_insert_id();

    for (const auto& x : r.plan.triggers) {
      trig.bind(1, target).bind(2, x.file).bind(3, x.key).bind(4, x.loader).bind(5, x.gate).bind(6, x.module)
          .bind(7, x.symbol).bind(8, x.remote_repo).bind(9, x.rule_id).run();
    }
    const std::set<std::string, std::less<>> relevant(r.plan.module_files.begin(), r.plan.module_files.end());
    if (t < files.size()) {
      for (const auto& f : files[t]) {
        const bool py = f.path.size() > 3 && f.path.ends_with(".py");
        file.bind(1, target).bind(2, f.path).bind(3, f.size).bind_opt(4, f.sha256).bind(5, py)
            .bind(6, relevant.contains(f.path)).bind(7, f.archive_member).run();
      }
    }
    for (const auto& f : r.findings) {
      fnd.bind(1, target).bind(2, f.rule_id).bind(3, f.engine).bind(4, rule_kind(f)).bind(5, to_string(f.severity))
          .bind(6, to_string(f.confidence)).bind(7, f.file).bind(8, f.line).bind(9, reachable_word(f.load_reachable))
          .bind(10, f.equivalents.bandit).bind(11, f.equivalents.semgrep).bind(12, f.equivalents.codeql)
          .bind(13, f.fingerprint).run();
      const std::int64_t finding = db_.last_insert_id();
      for (int c : f.cwe) cwe.bind(1, finding).bind(2, c).run();
    }
    for (const auto& d : r.plan.deserialization) {
      deser.bind(1, target).bind(2, d.file).bind(3, d.format).bind(4, d.loader).bind(5, d.read_at_load).run();
    }
    for (const auto& i : r.incomplete) inc.bind(1, target).bind(2, i.file).bind(3, i.reason).run();
  }
  tx.commit();
  return true;
}

void Store::record_error(const Repository& repo, const std::string& commit, const std::string& rules_version,
                         const std::string& message) {
  Transaction tx(db_);
  Stmt n(db_, "SELECT count(*) FROM errors WHERE repository_id = ? AND rules_version = ?");
  n.bind(1, repo.id).bind(2, rules_version);
  n.step();
  const std::int64_t attempt = n.integer(0) + 1;
  Stmt ins(db_, "INSERT INTO errors(repository_id, commit_id, rules_version, message, at, attempt) VALUES(?, ?, ?, ?, ?, ?)");
  ins.bind(1, repo.id).bind(2, commit).bind(3, rules_version).bind(4, message).bind(5, now_utc()).bind(6, attempt).run();
  tx.commit();
}

Status Store::status(std::int64_t study, const std::string& rules_version) {
  Status s;
  Stmt q(db_,
         "SELECT count(*), "
         "sum(EXISTS(SELECT 1 FROM revisions v WHERE v.repository_id = r.id AND v.rules_version = ?2)), "
         "sum(NOT EXISTS(SELECT 1 FROM revisions v WHERE v.repository_id = r.id AND v.rules_version = ?2) AND "
         "EXISTS(SELECT 1 FROM errors e WHERE e.repository_id = r.id AND e.rules_version = ?2)) "
         "FROM repositories r WHERE r.study_id = ?1");
  q.bind(1, study).bind(2, rules_version);
  q.step();
  s.repositories = q.integer(0);
  s.done = q.integer(1);
  s.failed = q.integer(2);
  s.pending = s.repositories - s.done;
  Stmt f(db_,
         "SELECT count(*) FROM findings f JOIN targets t ON t.id = f.target_id JOIN revisions v ON v.id = t.revision_id "
         "JOIN repositories r ON r.id = v.repository_id WHERE r.study_id = ? AND v.rules_version = ?");
  f.bind(1, study).bind(2, rules_version);
  f.step();
  s.findings = f.integer(0);
  Stmt p(db_, "SELECT platform, count(*) FROM repositories WHERE study_id = ? GROUP BY platform ORDER BY platform");
  p.bind(1, study);
  while (p.step()) s.per_platform.emplace_back(p.text(0), p.integer(1));
  return s;
}

}  // namespace mg::study
