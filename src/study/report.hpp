// The study report: the paper's tables (paper.md §3) recomputed by SQL over the store, written as
// Markdown, one CSV per table, and one self-contained HTML page with inline SVG charts. Every
// query is printed by `modelgate study report --sql` and listed in docs/study.md.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "study/sqlite.hpp"

namespace mg::study {

struct Query {
  std::string name;   // file stem of the CSV, anchor in the HTML
  std::string title;
  std::string about;  // one paragraph: what the table answers and how to read it
  std::string sql;    // one parameter, ?1 = the study's name
};

// The report's queries, in report order.
const std::vector<Query>& report_queries();

struct Table {
  const Query* query = nullptr;
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
  std::vector<bool> numeric;  // per column: right-aligned, charted
};

class PgConn;

// The report's tables: the queries run on the store, then Table 6 (platform/platform_data.hpp).
std::vector<Table> run_report(Db& db, const std::string& study);
// The same queries run natively on a PostgreSQL store (one read-only snapshot).
std::vector<Table> run_report(PgConn& conn, const std::string& study);
// A report query in PostgreSQL's dialect: ?1 -> $1, instr( -> strpos(, COLLATE BINARY -> COLLATE "C".
std::string postgres_report_sql(std::string_view sql);

std::string render_markdown(const std::string& study, const std::vector<Table>& tables);
std::string render_csv(const Table& table);
std::string render_html(const std::string& study, const std::vector<Table>& tables);
// The queries as Markdown (what docs/study.md carries).
std::string render_queries_markdown();

}  // namespace mg::study
