// The study store: migrations, idempotent adds, exactly-once results, shards; the hub catalog page
// parser.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "source/hub/catalog.hpp"
#include "source/hub/listings.hpp"
#include "study/pg_store.hpp"
#include "study/report.hpp"
#include "study/store.hpp"

namespace {

namespace fs = std::filesystem;
using namespace mg::study;

struct TempDb {
  fs::path path;
  TempDb() {
    path = fs::temp_directory_path() / ("mg_study_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".db");
    cleanup();
  }
  ~TempDb() { cleanup(); }
  void cleanup() const {
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
  }
};

std::int64_t count(Db& db, const char* sql) {
  Stmt s(db, sql);
  s.step();
  return s.integer(0);
}

TEST(StudyStore, EmptyFileMigratesToLatest) {
  TempDb t;
  Store store(t.path.string(), true);
  EXPECT_EQ(schema_version(store.db()), latest_schema_version());
  EXPECT_EQ(count(store.db(), "SELECT count(*) FROM schema_version"), latest_schema_version());
  // Every table of the model exists.
  for (const char* table : {"studies", "repositories", "revisions", "targets", "triggers", "files", "findings",
                            "finding_cwes", "deserialization_points", "incomplete", "errors"}) {
    Stmt s(store.db(), "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?");
    s.bind(1, table);
    s.step();
    EXPECT_EQ(s.integer(0), 1) << table;
  }
  Stmt wal(store.db(), "PRAGMA journal_mode");
  wal.step();
  EXPECT_EQ(wal.text(0), "wal");
}

TEST(StudyStore, OldVersionFileKeepsItsDataAndGainsTheNewColumns) {
  TempDb t;
  {
    Db db(t.path.string(), true);
    ASSERT_EQ(migrate(db, 1), 1);
    db.exec("INSERT INTO studies(name, created_at) VALUES('old', '2025-01-01T00:00:00Z')");
    db.exec("INSERT INTO repositories(study_id, repo_id, source, platform, shard_key, added_at) "
            "VALUES(1, 'a/b', '/x', 'hf', 0, '2025-01-01T00:00:00Z')");
    db.exec("INSERT INTO errors(repository_id, commit_id, rules_version, message, at) VALUES(1, '', 'r', 'boom', 'now')");
  }
  Store store(t.path.string(), false);
  EXPECT_EQ(schema_version(store.db()), latest_schema_version());
  const auto id = store.study("old", false);
  const auto pending = store.pending(id, "r");
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].repo_id, "a/b");
  EXPECT_EQ(pending[0].tags, "");  // the column step 2 added, with its default
  EXPECT_EQ(count(store.db(), "SELECT attempt FROM errors"), 1);
  EXPECT_EQ(store.status(id, "r").failed, 1);
}

TEST(StudyStore, NewerFileIsRefused) {
  TempDb t;
  {
    Store store(t.path.string(), true);
    Stmt s(store.db(), "INSERT INTO schema_version(version, applied_at) VALUES(?, 'later')");
    s.bind(1, latest_schema_version() + 1).run();
  }
  EXPECT_THROW(Store(t.path.string(), false), StoreError);
}

TEST(StudyStore, NotADatabaseIsAClearError) {
  TempDb t;
  {
    std::FILE* f = std::fopen(t.path.c_str(), "wb");
    std::fputs("this is not a database, just text that is long enough to be looked at", f);
    std::fclose(f);
  }
  EXPECT_THROW(Store(t.path.string(), false), StoreError);
  EXPECT_THROW(Store((t.path.parent_path() / "missing_dir_xyz" / "s.db").string(), false), StoreError);
}

TEST(StudyStore, AddIsIdempotentAndResultsAreRecordedOnce) {
  TempDb t;
  Store store(t.path.string(), true);
  const auto id = store.study("s", true);
  EXPECT_THROW(store.study("other", false), StoreError);
  EXPECT_TRUE(store.add_repository(id, {0, "o/n", "/src", "g", ""}));
  EXPECT_FALSE(store.add_repository(id, {0, "o/n", "/elsewhere", "g", ""}));
  auto todo = store.pending(id, rules_version());
  ASSERT_EQ(todo.size(), 1u);

  mg::TargetReport r;
  r.target = "/src";
  r.kind = "directory";
  r.plan.triggers.push_back({"config.json", "auto_map.AutoModel", "transformers", "trust_remote_code", "modeling_x.py",
                             "M", "", "LD101", "", "", std::nullopt, 0, ""});
  mg::Finding f;
  f.rule_id = "PY101";
  f.engine = "python";
  f.cwe = {703};
  f.file = "modeling_x.py";
  r.findings.push_back(f);
  std::vector<std::vector<FileRow>> files{{{"modeling_x.py", 10, "ab"}, {"w.bin", 5, std::nullopt}}};
  EXPECT_TRUE(store.record(todo[0], "c1", rules_version(), {r}, files, 7));
  EXPECT_FALSE(store.record(todo[0], "c1", rules_version(), {r}, files, 7));  // exactly once
  EXPECT_TRUE(store.done(todo[0].id, "c1", rules_version()));
  EXPECT_TRUE(store.pending(id, rules_version()).empty());
  EXPECT_EQ(store.pending(id, "another-rules-version").size(), 1u);
  EXPECT_EQ(count(store.db(), "SELECT count(*) FROM findings"), 1);
  EXPECT_EQ(count(store.db(), "SELECT cwe FROM finding_cwes"), 703);
  EXPECT_EQ(count(store.db(), "SELECT count(*) FROM files WHERE sha256 IS NULL"), 1);
  EXPECT_EQ(count(store.db(), "SELECT precise_custom_code FROM targets"), 1);
  const auto s = store.status(id, rules_version());
  EXPECT_EQ(s.done, 1);
  EXPECT_EQ(s.pending, 0);
  EXPECT_EQ(s.findings, 1);

  // The report runs over it (every query prepares and returns the recorded numbers).
  const auto tables = run_report(store.db(), "s");
  ASSERT_EQ(tables.size(), report_queries().size() + 1);  // the queries, then Table 6
  EXPECT_EQ(tables.back().query->name, "platforms");
  EXPECT_EQ(tables.back().rows.size(), 5u * 9u);
  for (const auto& tb : tables) {
    if (tb.query->name != "prevalence") continue;
    ASSERT_EQ(tb.rows.size(), 2u);  // g and (all)
    EXPECT_EQ(tb.rows[0][0], "g");
    EXPECT_EQ(tb.rows[0][5], "1");  // custom_code_precise
  }
  EXPECT_THROW(run_report(store.db(), "nope"), StoreError);
}

TEST(StudyStore, DataWithQuotesIsStoredVerbatim) {
  TempDb t;
  Store store(t.path.string(), true);
  const auto id = store.study("it's \"quoted\"; DROP TABLE studies; --", true);
  EXPECT_TRUE(store.add_repository(id, {0, "o/n'); DROP TABLE repositories; --", "/s", "g'", ""}));
  EXPECT_EQ(count(store.db(), "SELECT count(*) FROM repositories"), 1);
  EXPECT_EQ(store.pending(id, "r").at(0).repo_id, "o/n'); DROP TABLE repositories; --");
}

TEST(StudyShards, PartitionTheIds) {
  for (unsigned n : {1u, 2u, 3u, 7u}) {
    for (int k = 0; k < 500; ++k) {
      const std::string id = "owner" + std::to_string(k % 13) + "/repo-" + std::to_string(k);
      unsigned hits = 0;
      for (unsigned i = 0; i < n; ++i) hits += in_shard(id, i, n) ? 1 : 0;
      EXPECT_EQ(hits, 1u) << id << " n=" << n;
    }
  }
  // Deterministic across runs and machines: FNV-1a 64 (published test vectors).
  EXPECT_EQ(shard_key(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(shard_key("a"), 0xaf63dc4c8601ec8cull);
}

TEST(HubCatalog, ParsesPagesAndSkipsBadIds) {
  std::vector<mg::hub::CatalogEntry> out;
  std::vector<std::string> problems;
  ASSERT_TRUE(mg::hub::parse_catalog_page(
      R"([{"id":"a/b","tags":["custom_code","x"],"sha":"0123456789abcdef0123456789abcdef01234567"},
          {"modelId":"gpt2"},{"id":"../etc"},{"id":"a/b/c"},{"nothing":1},{"id":"c/d","tags":"notalist"}])",
      out, problems, 100));
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].id, "a/b");
  EXPECT_EQ(out[0].tags, (std::vector<std::string>{"custom_code", "x"}));
  EXPECT_EQ(out[0].sha.size(), 40u);
  EXPECT_EQ(out[1].id, "gpt2");
  EXPECT_EQ(out[2].id, "c/d");
  EXPECT_EQ(problems.size(), 3u);
  EXPECT_FALSE(mg::hub::parse_catalog_page("{}", out, problems, 100));
  EXPECT_FALSE(mg::hub::parse_catalog_page("[1,2]", out, problems, 100));
  EXPECT_FALSE(mg::hub::parse_catalog_page(std::string(100, '['), out, problems, 100));
  out.clear();
  ASSERT_TRUE(mg::hub::parse_catalog_page(R"([{"id":"a/b"},{"id":"c/d"}])", out, problems, 1));
  EXPECT_EQ(out.size(), 1u);
}

// PostgreSQL runs the SQLite steps translated: 64-bit integers, identity keys, no SQLite-only type.
TEST(StudyPgDialect, TranslatesEveryMigrationStep) {
  EXPECT_EQ(postgres_dialect("id INTEGER PRIMARY KEY, n INTEGER NOT NULL, t REAL"),
            "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT NOT NULL, t DOUBLE PRECISION");
  for (const char* step : migrations()) {
    const std::string pg = postgres_dialect(step);
    EXPECT_EQ(pg.find("INTEGER"), std::string::npos);
    EXPECT_EQ(pg.find(" REAL"), std::string::npos);
  }
  EXPECT_TRUE(is_postgres_location("postgresql://u@h/db"));
  EXPECT_TRUE(is_postgres_location("postgres://h/db"));
  EXPECT_FALSE(is_postgres_location("study.db"));
  EXPECT_FALSE(is_postgres_location("./postgresql://x"));
}

// A store location that names no reachable server: a StoreError naming the cause, no hang.
TEST(StudyPgDialect, ReportQueriesDifferOnlyInThreeTokens) {
  EXPECT_EQ(postgres_report_sql("WHERE s.name = ?1 AND instr(k, '.') > 0 ORDER BY platform COLLATE BINARY"),
            "WHERE s.name = $1 AND strpos(k, '.') > 0 ORDER BY platform COLLATE \"C\"");
  for (const auto& q : report_queries()) {
    const std::string pg = postgres_report_sql(q.sql);
    EXPECT_EQ(pg.find("?1"), std::string::npos) << q.name;
    EXPECT_EQ(pg.find("instr("), std::string::npos) << q.name;
    EXPECT_EQ(pg.find("BINARY"), std::string::npos) << q.name;
    // What PostgreSQL refuses: summing comparisons, derived tables without an alias.
    EXPECT_EQ(q.sql.find("sum(f.reachable ="), std::string::npos) << q.name;
    EXPECT_EQ(q.sql.find("UNION ALL SELECT '(all)', class FROM cls)\n"), std::string::npos) << q.name;
  }
}

TEST(StudyListings, ModelScopeAndOpenCsgPages) {
  using namespace mg::hub;
  std::vector<CatalogEntry> out;
  std::vector<std::string> problems;
  std::int64_t total = 0;
  std::size_t records = 0;
  ASSERT_TRUE(parse_ms_model_page(R"({"Code":200,"Data":{"Model":{"Models":[{"Path":"Qwen","Name":"Qwen2-7B","Tags":["custom_code"]},
      {"Path":"..","Name":"x"},{"Name":"nopath"}],"TotalCount":41}},"Success":true})", out, problems, 100, total, records));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "Qwen/Qwen2-7B");
  EXPECT_EQ(out[0].tags, std::vector<std::string>{"custom_code"});
  EXPECT_EQ(total, 41);
  EXPECT_EQ(records, 3u);
  EXPECT_EQ(problems.size(), 2u);
  // The SDK's form (Data.Models) and its past-the-end page (Models null).
  out.clear();
  ASSERT_TRUE(parse_ms_model_page(R"({"Code":200,"Data":{"Models":[{"Path":"o","Name":"n"}],"TotalCount":1}})", out, problems, 100, total, records));
  EXPECT_EQ(out.size(), 1u);
  ASSERT_TRUE(parse_ms_model_page(R"({"Code":200,"Data":{"Models":null,"TotalCount":1}})", out, problems, 100, total, records));
  std::string message;
  EXPECT_FALSE(parse_ms_model_page(R"({"Code":10010,"Message":"denied","Success":false})", out, problems, 100, total, records, &message));
  EXPECT_EQ(message, "denied");
  EXPECT_FALSE(parse_ms_model_page("[1,2]", out, problems, 100, total, records));
  out.clear();
  ASSERT_TRUE(parse_csg_model_page(R"({"data":[{"path":"OpenCSG/csg-wukong","tags":[{"name":"custom_code","category":"task"},"pytorch"]},
      {"path":"a/b/c"}],"total":2})", out, problems, 100, total, records));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].id, "OpenCSG/csg-wukong");
  EXPECT_EQ(out[0].tags, (std::vector<std::string>{"custom_code", "pytorch"}));
  EXPECT_EQ(records, 2u);
  EXPECT_FALSE(parse_csg_model_page(R"({"data":"x"})", out, problems, 100, total, records));
  MsListQuery q;
  q.criteria = {"tags=custom_code"};
  q.page_size = 7;
  auto body = ms_listing_body(q, 3);
  ASSERT_TRUE(body);
  EXPECT_NE(body->find(R"("Criterion":[{"category":"tags","predicate":"contains","values":["custom_code"]}])"), std::string::npos) << *body;
  EXPECT_NE(body->find(R"("PageNumber":3)"), std::string::npos);
  q.criteria = {"custom_code"};
  EXPECT_FALSE(ms_listing_body(q, 1));
}

TEST(StudyListings, TorchHubMarkdownAndOpenMmlabYaml) {
  using namespace mg::hub;
  EXPECT_EQ(parse_torchhub_markdown("---\nlayout: hub_detail\ngithub-link: https://github.com/pytorch/vision\n---\n"), "pytorch/vision");
  EXPECT_EQ(parse_torchhub_markdown("---\ngithub-link: https://github.com/o/r/tree/main/x\n---\n"), "o/r");
  EXPECT_EQ(parse_torchhub_markdown("---\ngithub-link: https://gitlab.example.invalid/o/r\n---\n"), "");
  EXPECT_EQ(parse_torchhub_markdown("no front matter\ngithub-link: https://github.com/o/r\n"), "");
  EXPECT_EQ(parse_torchhub_markdown("---\ntitle: x\n---\ngithub-link: https://github.com/o/r\n"), "");  // after the front matter
  std::vector<std::string> problems;
  EXPECT_EQ(parse_mm_model_index("Import:\n- configs/a/metafile.yml\n- /etc/x.yml\n- ../b.yml\nOther:\n- configs/c.yml\n", problems),
            std::vector<std::string>{"configs/a/metafile.yml"});
  EXPECT_EQ(problems.size(), 2u);
  problems.clear();
  const auto models = parse_mm_metafile("Collections:\n  - Name: C\n    Metadata:\n      - x\nModels:\n  - Name: m1 # c\n"
                                        "    Config: configs/a/m1.py\n    Results:\n      - Task: Det\n        Config: nested.py\n"
                                        "    Weights: 'https://download.example.invalid/m1.pth'\n  - Name: m2\n    Weights: w\n",
                                        problems, 10);
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0].name, "m1");
  EXPECT_EQ(models[0].config, "configs/a/m1.py");
  EXPECT_EQ(models[0].weights, "https://download.example.invalid/m1.pth");
  EXPECT_EQ(problems.size(), 1u);  // m2 without a Config
}

TEST(StudyPgDialect, UnreachableServerIsAClearError) {
  try {
    auto s = open_store("postgresql://nobody@127.0.0.1:1/none?connect_timeout=3", false);
    FAIL() << "connected to port 1";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect to the PostgreSQL study store"), std::string::npos) << e.what();
  }
}

}  // namespace
