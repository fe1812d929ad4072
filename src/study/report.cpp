#include "study/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "platform/platform_data.hpp"
#include "study/pg_store.hpp"
#include "core/text.hpp"  // html_escape, shared with the scan report
#include "study/store.hpp"

namespace mg::study {

namespace {

// Every query starts from the study's current results: per repository, its latest recorded
// revision (`cur`), and that revision's targets (`tg`).
const char* const kCurrent = R"sql(WITH cur AS (
  SELECT r.id AS repository_id, r.platform, max(v.id) AS revision_id
  FROM repositories r
  JOIN studies s ON s.id = r.study_id
  JOIN revisions v ON v.repository_id = r.id
  WHERE s.name = ?1
  GROUP BY r.id, r.platform),
tg AS (
  SELECT c.repository_id, c.platform, t.id AS target_id, t.verdict, t.partial, t.custom_code_tag,
         t.paper_entry_files, t.paper_prefixed_files, t.paper_custom_code, t.precise_custom_code
  FROM cur c JOIN targets t ON t.revision_id = c.revision_id))sql";

// One text for both stores. The queries keep to what SQLite and PostgreSQL agree on: comparisons
// are counted with count(*) FILTER (WHERE ...) (PostgreSQL cannot sum booleans), 0/1 columns are
// compared to numbers (never used as booleans), derived tables have aliases, every division that
// is shown is 100.0 * ... (exact numeric on PostgreSQL, then round(..., 2)). Three tokens differ
// and are rewritten for PostgreSQL by postgres_report_sql(): ?1 -> $1, instr( -> strpos(, and
// COLLATE BINARY -> COLLATE "C" (text ordering by bytes, as SQLite's, whatever the server's locale).
std::vector<Query> make_queries() {
  std::vector<Query> q;
  q.push_back({"coverage", "Coverage and verdicts",
               "Per platform: repositories added, scanned (results for their latest revision), not scanned yet, of "
               "those the ones whose last attempt failed (retried on the next run), partial scans (some file could "
               "not be analysed), and the verdict: the highest severity among findings that can run at load.",
               R"sql(,
added AS (
  SELECT r.id, r.platform FROM repositories r JOIN studies s ON s.id = r.study_id WHERE s.name = ?1),
st AS (
  SELECT a.platform, a.id,
    (SELECT count(*) FROM tg WHERE tg.repository_id = a.id) AS targets,
    (SELECT coalesce(max(partial), 0) FROM tg WHERE tg.repository_id = a.id) AS partial,
    EXISTS(SELECT 1 FROM errors e WHERE e.repository_id = a.id) AS had_error,
    (SELECT max(CASE verdict WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 END)
       FROM tg WHERE tg.repository_id = a.id) AS verdict_rank
  FROM added a)
SELECT platform, count(*) AS repositories, count(*) FILTER (WHERE targets > 0) AS scanned,
  count(*) FILTER (WHERE targets = 0) AS not_scanned, count(*) FILTER (WHERE targets = 0 AND had_error) AS failed,
  sum(partial) AS partial,
  count(*) FILTER (WHERE verdict_rank = 4) AS verdict_critical, count(*) FILTER (WHERE verdict_rank = 3) AS verdict_high,
  count(*) FILTER (WHERE verdict_rank = 2) AS verdict_medium, count(*) FILTER (WHERE verdict_rank = 1) AS verdict_low,
  count(*) FILTER (WHERE targets > 0 AND verdict_rank IS NULL) AS verdict_clean
FROM st GROUP BY platform ORDER BY platform COLLATE BINARY)sql"});

  q.push_back({"prevalence", "Table 1 form: repositories with custom code",
               "The paper's criteria (custom_code tag, or tokenizer.py / __init__.py / hubconf.py, or a "
               "modeling_/tokenization_/configuration_ Python file) beside modelgate's precise answer (the load "
               "plan has a trigger: loading the repository makes a loader import its code). Percentages are over "
               "scanned repositories. paper_only counts repositories the paper's criteria include although no "
               "loader runs their code; precise_only the reverse.",
               R"sql(,
rp AS (
  SELECT repository_id, platform, max(paper_custom_code) AS paper, max(precise_custom_code) AS precise,
    max(custom_code_tag) AS tag, max(CASE WHEN paper_entry_files > 0 THEN 1 ELSE 0 END) AS entry,
    max(CASE WHEN paper_prefixed_files > 0 THEN 1 ELSE 0 END) AS prefixed
  FROM tg GROUP BY repository_id, platform),
added AS (
  SELECT r.platform, count(*) AS repositories FROM repositories r JOIN studies s ON s.id = r.study_id
  WHERE s.name = ?1 GROUP BY r.platform),
per AS (
  SELECT a.platform, a.repositories, count(rp.repository_id) AS scanned,
    coalesce(sum(rp.paper), 0) AS paper, coalesce(sum(rp.precise), 0) AS precise,
    count(rp.repository_id) FILTER (WHERE rp.paper <> 0 AND rp.precise <> 0) AS both_criteria,
    count(rp.repository_id) FILTER (WHERE rp.paper <> 0 AND rp.precise = 0) AS paper_only,
    count(rp.repository_id) FILTER (WHERE rp.precise <> 0 AND rp.paper = 0) AS precise_only,
    coalesce(sum(rp.tag), 0) AS tag, coalesce(sum(rp.entry), 0) AS entry, coalesce(sum(rp.prefixed), 0) AS prefixed
  FROM added a LEFT JOIN rp ON rp.platform = a.platform GROUP BY a.platform, a.repositories),
tot AS (
  SELECT '(all)' AS platform, sum(repositories), sum(scanned), sum(paper), sum(precise), sum(both_criteria),
    sum(paper_only), sum(precise_only), sum(tag), sum(entry), sum(prefixed) FROM per)
SELECT platform, repositories, scanned,
  paper AS custom_code_paper, round(100.0 * paper / nullif(scanned, 0), 2) AS paper_pct,
  precise AS custom_code_precise, round(100.0 * precise / nullif(scanned, 0), 2) AS precise_pct,
  both_criteria, paper_only, precise_only,
  tag AS paper_by_tag, entry AS paper_by_entry_files, prefixed AS paper_by_prefixed_files
FROM (SELECT * FROM per UNION ALL SELECT * FROM tot) AS u
ORDER BY platform = '(all)', platform COLLATE BINARY)sql"});

  q.push_back({"trigger_kinds", "Table 1 form: what makes loading run code",
               "Precise triggers by platform, loader and kind (the configuration key's first part: auto_map, "
               "custom_pipelines, modules, custom_imports, ...; every torch.hub entrypoint counts as one kind): how "
               "many repositories have each and how many triggers there are.",
               R"sql(,
tk AS (
  SELECT tg.platform, tg.repository_id, tr.loader,
    CASE WHEN tr.loader = 'torch.hub' THEN 'hubconf entrypoint'
         WHEN instr(tr.key, '.') > 0 THEN substr(tr.key, 1, instr(tr.key, '.') - 1) ELSE tr.key END AS k
  FROM tg JOIN triggers tr ON tr.target_id = tg.target_id),
tkk AS (
  SELECT platform, repository_id, loader,
    CASE WHEN instr(k, '[') > 0 THEN substr(k, 1, instr(k, '[') - 1) ELSE k END AS trigger_kind
  FROM tk)
SELECT platform, loader, trigger_kind, count(DISTINCT repository_id) AS repositories, count(*) AS triggers
FROM tkk GROUP BY platform, loader, trigger_kind
ORDER BY platform COLLATE BINARY, repositories DESC, triggers DESC, loader COLLATE BINARY, trigger_kind COLLATE BINARY)sql"});

  q.push_back({"engine_prevalence", "Tables 2-5 form: repositories with findings, per engine",
               "The paper's \"smelly repositories\" column, per modelgate engine (python covers the Bandit and "
               "Semgrep classes, behaviour the data-flow class CodeQL covers, yara the signatures): repositories "
               "with at least one finding and their share of the scanned repositories.",
               R"sql(,
sc AS (
  SELECT platform, count(DISTINCT repository_id) AS scanned FROM tg GROUP BY platform),
fe AS (
  SELECT tg.platform, f.engine, count(DISTINCT tg.repository_id) AS repos, count(*) AS findings
  FROM tg JOIN findings f ON f.target_id = tg.target_id GROUP BY tg.platform, f.engine)
SELECT fe.platform, fe.engine, fe.repos AS repositories_with_findings,
  round(100.0 * fe.repos / sc.scanned, 2) AS pct_of_scanned, fe.findings
FROM fe JOIN sc ON sc.platform = fe.platform ORDER BY fe.platform COLLATE BINARY, fe.engine COLLATE BINARY)sql"});

  q.push_back({"top_cwes", "Tables 2-4 form: top 3 CWEs per platform and engine",
               "CWE counts over findings (a finding mapped to two CWEs counts once for each); the share is of "
               "the engine's CWE-mapped findings on that platform.",
               R"sql(,
fc AS (
  SELECT tg.platform, f.engine, c.cwe, count(*) AS n
  FROM tg JOIN findings f ON f.target_id = tg.target_id JOIN finding_cwes c ON c.finding_id = f.id
  GROUP BY tg.platform, f.engine, c.cwe),
rk AS (
  SELECT platform, engine, cwe, n, round(100.0 * n / sum(n) OVER (PARTITION BY platform, engine), 2) AS pct,
    row_number() OVER (PARTITION BY platform, engine ORDER BY n DESC, cwe) AS rank
  FROM fc)
SELECT platform, engine, rank, 'CWE-' || cwe AS cwe, n AS findings, pct AS pct_of_engine_cwe_findings
FROM rk WHERE rank <= 3 ORDER BY platform COLLATE BINARY, engine COLLATE BINARY, rank)sql"});

  q.push_back({"cwe_distribution", "CWE distribution, all platforms",
               "Every CWE modelgate's findings map to, over the whole study, with the repositories it occurs in.",
               R"sql(
SELECT 'CWE-' || c.cwe AS cwe, count(*) AS findings,
  round(100.0 * count(*) / sum(count(*)) OVER (), 2) AS pct,
  count(DISTINCT tg.repository_id) AS repositories
FROM tg JOIN findings f ON f.target_id = tg.target_id JOIN finding_cwes c ON c.finding_id = f.id
GROUP BY c.cwe ORDER BY findings DESC, c.cwe)sql"});

  q.push_back({"top_per_severity", "Table 2 form: top issue per severity",
               "Per platform and severity, the rule with the most findings, its Bandit equivalent, and its share "
               "of all the platform's findings.",
               R"sql(,
fr AS (
  SELECT tg.platform, f.severity, f.rule_id, f.bandit, count(*) AS n
  FROM tg JOIN findings f ON f.target_id = tg.target_id GROUP BY tg.platform, f.severity, f.rule_id, f.bandit),
rk AS (
  SELECT platform, severity, rule_id, bandit, n,
    round(100.0 * n / sum(n) OVER (PARTITION BY platform), 2) AS pct,
    row_number() OVER (PARTITION BY platform, severity ORDER BY n DESC, rule_id COLLATE BINARY) AS rank
  FROM fr)
SELECT platform, severity, rule_id, bandit AS bandit_equivalent, n AS findings, pct AS pct_of_platform_findings
FROM rk WHERE rank = 1
ORDER BY platform COLLATE BINARY, CASE severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END)sql"});

  q.push_back({"top_rules", "Tables 3-5 form: top 3 rules per platform and engine",
               "The most frequent rules with their Bandit, Semgrep and CodeQL equivalents (empty: the peer has no "
               "such check), the share of the engine's findings on that platform, and the repositories they occur in.",
               R"sql(,
fr AS (
  SELECT tg.platform, f.engine, f.rule_id, f.bandit, f.semgrep, f.codeql, count(*) AS n,
    count(DISTINCT tg.repository_id) AS repos
  FROM tg JOIN findings f ON f.target_id = tg.target_id
  GROUP BY tg.platform, f.engine, f.rule_id, f.bandit, f.semgrep, f.codeql),
rk AS (
  SELECT fr.*, round(100.0 * n / sum(n) OVER (PARTITION BY platform, engine), 2) AS pct,
    row_number() OVER (PARTITION BY platform, engine ORDER BY n DESC, rule_id COLLATE BINARY) AS rank
  FROM fr)
SELECT platform, engine, rank, rule_id, bandit, semgrep, codeql, n AS findings,
  pct AS pct_of_engine_findings, repos AS repositories
FROM rk WHERE rank <= 3 ORDER BY platform COLLATE BINARY, engine COLLATE BINARY, rank)sql"});

  q.push_back({"safetensors", "SafeTensors adoption",
               "Repositories whose load reads weights (deserialization points read at load), those with "
               "SafeTensors weights, with pickle-class weights (pickle, PyTorch zip or legacy, TorchScript, NumPy "
               "object arrays, joblib), and with only one kind. The paper reports 6.6% adoption on Hugging Face.",
               R"sql(,
rd AS (
  SELECT tg.platform, tg.repository_id,
    max(CASE WHEN d.format = 'safetensors' THEN 1 ELSE 0 END) AS st,
    max(CASE WHEN d.format IN ('pickle', 'pytorch-zip', 'pytorch-legacy', 'torchscript', 'numpy-object', 'joblib')
             THEN 1 ELSE 0 END) AS pk,
    count(d.id) AS points
  FROM tg LEFT JOIN deserialization_points d ON d.target_id = tg.target_id AND d.read_at_load = 1
  GROUP BY tg.platform, tg.repository_id)
SELECT platform, count(*) AS scanned, count(*) FILTER (WHERE points > 0) AS with_weights, sum(st) AS with_safetensors,
  round(100.0 * sum(st) / count(*), 2) AS safetensors_pct_of_scanned,
  round(100.0 * sum(st) / nullif(count(*) FILTER (WHERE points > 0), 0), 2) AS safetensors_pct_of_with_weights,
  count(*) FILTER (WHERE st = 1 AND pk = 0) AS safetensors_only, sum(pk) AS with_pickle_class,
  count(*) FILTER (WHERE pk = 1 AND st = 0) AS pickle_class_only
FROM rd GROUP BY platform ORDER BY platform COLLATE BINARY)sql"});

  q.push_back({"file_reduction", "Execution-relevant file reduction",
               "The paper's 128,487 -> 67,009 form: Python files in the repositories, those in repositories with "
               "custom code (by the paper's criteria or by a precise trigger), and those loading executes (the load "
               "plan's module files, followed through imports). relevant_pct is execution-relevant over Python "
               "files in custom-code repositories. Files inside archives are not counted (the paper counted the "
               "files a hub lists).",
               R"sql(,
fl AS (
  SELECT tg.platform, count(*) AS files, sum(f.python) AS python_files,
    count(*) FILTER (WHERE f.python <> 0 AND (tg.paper_custom_code <> 0 OR tg.precise_custom_code <> 0)) AS python_in_custom_code,
    count(*) FILTER (WHERE f.python <> 0 AND f.execution_relevant <> 0) AS relevant_python, sum(f.size) AS bytes
  FROM tg JOIN files f ON f.target_id = tg.target_id AND f.archive_member = 0 GROUP BY tg.platform)
SELECT platform, files, python_files, python_in_custom_code, relevant_python AS execution_relevant_python,
  round(100.0 * relevant_python / nullif(python_in_custom_code, 0), 2) AS relevant_pct, bytes
FROM (SELECT * FROM fl UNION ALL
      SELECT '(all)', sum(files), sum(python_files), sum(python_in_custom_code), sum(relevant_python), sum(bytes) FROM fl) AS u
ORDER BY platform = '(all)', platform COLLATE BINARY)sql"});

  q.push_back({"reachability", "Load-reachable versus not",
               "Findings by whether the load reaches them: yes (on a path from a trigger), no (never run by "
               "loading), unknown (only a computed import or call could run it).",
               R"sql(
SELECT tg.platform, f.engine, count(*) AS findings, count(*) FILTER (WHERE f.reachable = 'yes') AS reachable,
  count(*) FILTER (WHERE f.reachable = 'no') AS not_reachable, count(*) FILTER (WHERE f.reachable = 'unknown') AS unknown,
  round(100.0 * count(*) FILTER (WHERE f.reachable = 'yes') / count(*), 2) AS reachable_pct
FROM tg JOIN findings f ON f.target_id = tg.target_id GROUP BY tg.platform, f.engine
ORDER BY tg.platform COLLATE BINARY, f.engine COLLATE BINARY)sql"});

  q.push_back({"noise", "Noise shares",
               "What share of findings are coding-smell classes the paper's Bandit counts were dominated by "
               "(assert, B101: 60-80% there), other low-severity findings, and medium-or-higher findings that the "
               "load never reaches, against those that remain.",
               R"sql(,
cls AS (
  SELECT tg.platform,
    CASE WHEN f.bandit = 'B101' THEN 'assert (B101 class)'
         WHEN f.bandit IN ('B110', 'B112') THEN 'try-except-pass/continue (B110/B112)'
         WHEN f.severity = 'low' THEN 'other low severity'
         WHEN f.reachable = 'no' THEN 'medium+ not load-reachable'
         ELSE 'medium+ reachable or unknown' END AS class
  FROM tg JOIN findings f ON f.target_id = tg.target_id)
SELECT platform, class, count(*) AS findings,
  round(100.0 * count(*) / sum(count(*)) OVER (PARTITION BY platform), 2) AS pct
FROM (SELECT * FROM cls UNION ALL SELECT '(all)', class FROM cls) AS u
GROUP BY platform, class ORDER BY platform = '(all)', platform COLLATE BINARY, findings DESC, class COLLATE BINARY)sql"});

  for (auto& x : q) x.sql = std::string(kCurrent) + x.sql;
  return q;
}

std::string format_cell(const Stmt& s, int i) {
  switch (s.type(i)) {
    case SQLITE_NULL: return "";
    case SQLITE_INTEGER: return std::to_string(s.integer(i));
    case SQLITE_FLOAT: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.2f", s.real(i));
      return buf;
    }
    default: return s.text(i);
  }
}

std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

const Table* find_table(const std::vector<Table>& tables, std::string_view name) {
  for (const auto& t : tables) {
    if (t.query->name == name) return &t;
  }
  return nullptr;
}

int column(const Table& t, std::string_view name) {
  for (std::size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

double number(const std::string& s) {
  if (s.empty()) return 0;
  try {
    return std::stod(s);
  } catch (...) {
    return 0;
  }
}

struct Series {
  std::string name;
  std::string color;
  std::vector<double> values;
};

// A horizontal bar chart as inline SVG: one group of bars per label, one bar per series.
std::string svg_bars(const std::string& id, const std::string& title, const std::vector<std::string>& labels,
                     const std::vector<Series>& series, const std::string& unit) {
  constexpr int kLabelW = 260, kBarW = 420, kBarH = 14, kGap = 8, kTop = 28, kValueW = 90;
  double max = 0;
  for (const auto& s : series) {
    for (double v : s.values) max = std::max(max, v);
  }
  if (max <= 0) max = 1;
  const int group_h = static_cast<int>(series.size()) * kBarH + kGap;
  const int legend_h = series.size() > 1 ? 20 : 0;
  const int height = kTop + static_cast<int>(labels.size()) * group_h + legend_h + 6;
  const int width = kLabelW + kBarW + kValueW;
  std::string svg = "<svg class=\"chart\" id=\"" + html_escape(id) + "\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
                    std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
                    std::to_string(width) + " " + std::to_string(height) + "\" role=\"img\" aria-label=\"" +
                    html_escape(title) + "\">";
  svg += "<title>" + html_escape(title) + "</title>";
  svg += "<text x=\"0\" y=\"16\" class=\"ct\">" + html_escape(title) + "</text>";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const int y0 = kTop + static_cast<int>(i) * group_h;
    const int label_y = y0 + static_cast<int>(series.size()) * kBarH / 2 + 4;
    svg += "<text x=\"" + std::to_string(kLabelW - 6) + "\" y=\"" + std::to_string(label_y) +
           "\" text-anchor=\"end\" class=\"cl\">" + html_escape(labels[i]) + "</text>";
    for (std::size_t s = 0; s < series.size(); ++s) {
      const double v = i < series[s].values.size() ? series[s].values[i] : 0;
      const int w = std::max(v > 0 ? 1 : 0, static_cast<int>(std::lround(v / max * kBarW)));
      const int y = y0 + static_cast<int>(s) * kBarH;
      char value[64];
      std::snprintf(value, sizeof value, v == std::floor(v) ? "%.0f%s" : "%.2f%s", v, unit.c_str());
      svg += "<rect x=\"" + std::to_string(kLabelW) + "\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(w) +
             "\" height=\"" + std::to_string(kBarH - 2) + "\" fill=\"" + series[s].color + "\"><title>" +
             html_escape(labels[i] + " - " + series[s].name + ": " + value) + "</title></rect>";
      svg += "<text x=\"" + std::to_string(kLabelW + w + 4) + "\" y=\"" + std::to_string(y + kBarH - 4) + "\" class=\"cv\">" +
             html_escape(value) + "</text>";
    }
  }
  if (series.size() > 1) {
    int x = kLabelW;
    const int y = height - legend_h;
    for (const auto& s : series) {
      svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y + 4) + "\" width=\"10\" height=\"10\" fill=\"" +
             s.color + "\"/><text x=\"" + std::to_string(x + 14) + "\" y=\"" + std::to_string(y + 13) + "\" class=\"cl\">" +
             html_escape(s.name) + "</text>";
      x += 20 + static_cast<int>(s.name.size()) * 7;
    }
  }
  svg += "</svg>";
  return svg;
}

// Charts drawn from the report's own tables.
std::string charts(const std::vector<Table>& tables) {
  std::string out;
  if (const Table* t = find_table(tables, "prevalence")) {
    const int p = column(*t, "platform"), a = column(*t, "paper_pct"), b = column(*t, "precise_pct");
    std::vector<std::string> labels;
    Series paper{"paper's criteria", "#8c6bb1", {}}, precise{"modelgate triggers", "#2b8cbe", {}};
    for (const auto& row : t->rows) {
      labels.push_back(row[static_cast<std::size_t>(p)]);
      paper.values.push_back(number(row[static_cast<std::size_t>(a)]));
      precise.values.push_back(number(row[static_cast<std::size_t>(b)]));
    }
    out += svg_bars("chart-prevalence", "Repositories with custom code, % of scanned", labels, {paper, precise}, "%");
  }
  if (const Table* t = find_table(tables, "cwe_distribution")) {
    std::vector<std::string> labels;
    Series s{"findings", "#e34a33", {}};
    for (std::size_t i = 0; i < t->rows.size() && i < 15; ++i) {
      labels.push_back(t->rows[i][0]);
      s.values.push_back(number(t->rows[i][1]));
    }
    out += svg_bars("chart-cwe", "CWE distribution (findings, top 15)", labels, {s}, "");
  }
  if (const Table* t = find_table(tables, "top_cwes")) {
    // Per platform: its top CWE of each engine, stacked as one bar per (platform, engine).
    std::vector<std::string> labels;
    Series s{"findings", "#fdae6b", {}};
    const int p = column(*t, "platform"), e = column(*t, "engine"), r = column(*t, "rank"), c = column(*t, "cwe"),
              n = column(*t, "findings");
    for (const auto& row : t->rows) {
      if (row[static_cast<std::size_t>(r)] != "1") continue;
      labels.push_back(row[static_cast<std::size_t>(p)] + " / " + row[static_cast<std::size_t>(e)] + ": " +
                       row[static_cast<std::size_t>(c)]);
      s.values.push_back(number(row[static_cast<std::size_t>(n)]));
    }
    out += svg_bars("chart-top-cwe", "Top CWE per platform and engine", labels, {s}, "");
  }
  if (const Table* t = find_table(tables, "file_reduction")) {
    std::vector<std::string> labels;
    Series all{"Python files in custom-code repositories", "#bdbdbd", {}}, rel{"execution-relevant", "#31a354", {}};
    for (const auto& row : t->rows) {
      labels.push_back(row[0]);
      all.values.push_back(number(row[static_cast<std::size_t>(column(*t, "python_in_custom_code"))]));
      rel.values.push_back(number(row[static_cast<std::size_t>(column(*t, "execution_relevant_python"))]));
    }
    out += svg_bars("chart-files", "Python files: custom-code repositories vs execution-relevant", labels, {all, rel}, "");
  }
  if (const Table* t = find_table(tables, "noise")) {
    std::vector<std::string> labels;
    Series s{"share of findings", "#756bb1", {}};
    for (const auto& row : t->rows) {
      if (row[0] != "(all)") continue;
      labels.push_back(row[1]);
      s.values.push_back(number(row[3]));
    }
    out += svg_bars("chart-noise", "Noise shares, all platforms (% of findings)", labels, {s}, "%");
  }
  return out;
}

}  // namespace

const std::vector<Query>& report_queries() {
  static const std::vector<Query> queries = make_queries();
  return queries;
}

std::string postgres_report_sql(std::string_view sql) {
  std::string out(sql);
  auto replace_all = [&out](std::string_view from, std::string_view to) {
    for (std::size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) {
      out.replace(at, from.size(), to);
    }
  };
  replace_all("?1", "$1");
  replace_all("instr(", "strpos(");
  replace_all("COLLATE BINARY", "COLLATE \"C\"");
  return out;
}

namespace {

// Table 6 (src/platform/platform_data.cpp) as a report table: one row per hub and aspect, with
// the cell's source. The same rows on every store; not SQL.
const Query kPlatformsQuery{"platforms", "Table 6: platform mitigations and how loaders run code",
                            "The paper's Table 6 as published (table6 = yes) and modelgate's loader model for each hub "
                            "(table6 = no), each cell with its source; `modelgate platforms` prints the same data.",
                            ""};

Table platforms_table() {
  Table t;
  t.query = &kPlatformsQuery;
  t.columns = {"platform", "aspect", "table6", "value", "source"};
  t.numeric.assign(t.columns.size(), false);
  const auto& cols = platforms::columns();
  for (const auto& p : platforms::all()) {
    for (std::size_t i = 0; i < cols.size(); ++i) {
      t.rows.push_back({std::string(p.id), std::string(cols[i].id), cols[i].from_paper ? "yes" : "no",
                        std::string(p.cells[i].value), std::string(p.cells[i].source)});
    }
  }
  return t;
}

}  // namespace

std::vector<Table> run_report(Db& db, const std::string& study) {
  {
    Stmt s(db, "SELECT 1 FROM studies WHERE name = ?");
    s.bind(1, study);
    if (!s.step()) throw StoreError("no study named '" + study + "' in this store");
  }
  std::vector<Table> tables;
  for (const auto& q : report_queries()) {
    Table t;
    t.query = &q;
    Stmt s(db, q.sql);
    s.bind(1, study);
    const int n = s.columns();
    for (int i = 0; i < n; ++i) t.columns.push_back(s.column_name(i));
    t.numeric.assign(static_cast<std::size_t>(n), true);
    while (s.step()) {
      std::vector<std::string> row;
      for (int i = 0; i < n; ++i) {
        row.push_back(format_cell(s, i));
        if (s.type(i) == SQLITE_TEXT) t.numeric[static_cast<std::size_t>(i)] = false;
      }
      t.rows.push_back(std::move(row));
    }
    tables.push_back(std::move(t));
  }
  tables.push_back(platforms_table());
  return tables;
}

std::vector<Table> run_report(PgConn& conn, const std::string& study) {
  // One read-only snapshot for all queries, so the tables agree with each other while workers write.
  PgTransaction read(conn);
  conn.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (conn.query("SELECT 1 FROM studies WHERE name = $1", {study}).rows() == 0) {
    throw StoreError("no study named '" + study + "' in this store");
  }
  std::vector<Table> tables;
  for (const auto& q : report_queries()) {
    Table t;
    t.query = &q;
    const std::string sql = postgres_report_sql(q.sql);
    const auto r = conn.query(sql.c_str(), {study});
    const int n = r.columns();
    for (int i = 0; i < n; ++i) {
      t.columns.push_back(r.column_name(i));
      t.numeric.push_back(r.is_number(i));
    }
    // PostgreSQL's text forms are the SQLite path's: integers as digits, numeric(…, 2) with two
    // decimals, NULL as an empty cell.
    for (int row = 0; row < r.rows(); ++row) {
      std::vector<std::string> cells;
      for (int i = 0; i < n; ++i) cells.push_back(r.is_null(row, i) ? std::string() : r.text(row, i));
      t.rows.push_back(std::move(cells));
    }
    tables.push_back(std::move(t));
  }
  read.commit();
  tables.push_back(platforms_table());
  return tables;
}

std::string render_markdown(const std::string& study, const std::vector<Table>& tables) {
  std::string out = "# modelgate study report: " + md_cell(study) + "\n\n";
  out += "Rules version " + rules_version() + ". Every table is one SQL query over the study store "
         "(`modelgate study report --sql` prints them; docs/study.md explains them).\n";
  for (const auto& t : tables) {
    out += "\n## " + t.query->title + "\n\n" + t.query->about + " (`" + t.query->name + ".csv`)\n\n";
    if (t.rows.empty()) {
      out += "_No rows._\n";
      continue;
    }
    out += "|";
    for (const auto& c : t.columns) out += " " + md_cell(c) + " |";
    out += "\n|";
    for (std::size_t i = 0; i < t.columns.size(); ++i) out += t.numeric[i] ? "---:|" : "---|";
    out += "\n";
    for (const auto& row : t.rows) {
      out += "|";
      for (const auto& c : row) out += " " + md_cell(c) + " |";
      out += "\n";
    }
  }
  return out;
}

std::string render_csv(const Table& table) {
  auto cell = [](const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) {
      if (c == '"') q += '"';
      q += c;
    }
    return q + "\"";
  };
  std::string out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) out += (i ? "," : "") + cell(table.columns[i]);
  out += "\r\n";
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) out += (i ? "," : "") + cell(row[i]);
    out += "\r\n";
  }
  return out;
}

std::string render_html(const std::string& study, const std::vector<Table>& tables) {
  std::string out = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>modelgate study report: )" + html_escape(study) + R"(</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6em 0;font-size:13px}
th,td{border:1px solid #ddd;padding:3px 7px}th{background:#f4f4f4;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}
p.about{color:#444;max-width:60em}
nav a{margin-right:1em}.tw{overflow-x:auto}
.charts{display:flex;flex-wrap:wrap;gap:1.5em}
svg.chart{background:#fcfcfc;border:1px solid #eee}
svg .ct{font-weight:600;font-size:13px}svg .cl,svg .cv{font-size:11px;fill:#333}
</style></head><body>
<h1>modelgate study report: )" + html_escape(study) + R"(</h1>
<p>Rules version )" + html_escape(rules_version()) +
                    R"(. Every table is one SQL query over the study store; the CSV of each table has the same name.</p>
<nav>)";
  for (const auto& t : tables) out += "<a href=\"#" + html_escape(t.query->name) + "\">" + html_escape(t.query->title) + "</a> ";
  out += "</nav>\n<h2>Charts</h2>\n<div class=\"charts\">" + charts(tables) + "</div>\n";
  for (const auto& t : tables) {
    out += "<h2 id=\"" + html_escape(t.query->name) + "\">" + html_escape(t.query->title) + "</h2>\n<p class=\"about\">" +
           html_escape(t.query->about) + "</p>\n";
    if (t.rows.empty()) {
      out += "<p><em>No rows.</em></p>\n";
      continue;
    }
    out += "<div class=\"tw\"><table class=\"data\" data-query=\"" + html_escape(t.query->name) + "\"><thead><tr>";
    for (const auto& c : t.columns) out += "<th>" + html_escape(c) + "</th>";
    out += "</tr></thead><tbody>\n";
    for (const auto& row : t.rows) {
      out += "<tr>";
      for (std::size_t i = 0; i < row.size(); ++i) {
        out += t.numeric[i] ? "<td class=\"n\">" : "<td>";
        out += html_escape(row[i]) + "</td>";
      }
      out += "</tr>\n";
    }
    out += "</tbody></table></div>\n";
  }
  out += "</body></html>\n";
  return out;
}

std::string render_queries_markdown() {
  std::string out;
  for (const auto& q : report_queries()) {
    out += "### " + q.name + ": " + q.title + "\n\n" + q.about + "\n\n```sql\n" + q.sql + ";\n```\n\n";
  }
  return out;
}

}  // namespace mg::study
