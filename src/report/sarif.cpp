// SARIF 2.1.0: one run; tool.driver.rules generated from the rule registry (same data as
// `modelgate rules`); one result per finding with a partial fingerprint for baselines.
#include <map>

#include "core/json_writer.hpp"
#include "core/text.hpp"
#include "report/report.hpp"

namespace mg {

namespace {

std::string_view level_of(Severity s) {
  switch (s) {
    case Severity::critical:
    case Severity::high: return "error";
    case Severity::medium: return "warning";
    case Severity::low: return "note";
  }
  return "warning";
}

// GitHub code scanning reads this 0-10 score to rank security results.
std::string_view security_score(Severity s) {
  switch (s) {
    case Severity::critical: return "9.5";
    case Severity::high: return "8.0";
    case Severity::medium: return "5.5";
    case Severity::low: return "3.0";
  }
  return "5.0";
}

std::string artifact_uri(const TargetReport& t, const std::string& file) {
  if (t.kind == "file") return t.target;
  if (file.empty()) return t.target;
  std::string base = t.target;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + "/" + file;
}

}  // namespace

std::string render_sarif(const ScanReport& report, const RenderOptions& options) {
  const auto& rules = RuleRegistry::builtin().all();
  std::map<std::string, std::size_t, std::less<>> index;
  for (std::size_t i = 0; i < rules.size(); ++i) index[rules[i].id] = i;

  JsonWriter w(true);
  w.begin_object();
  w.key("$schema").value("https://json.schemastore.org/sarif-2.1.0.json");
  w.key("version").value("2.1.0");
  w.key("runs").begin_array().begin_object();
  w.key("tool").begin_object().key("driver").begin_object();
  w.key("name").value(kToolName);
  w.key("version").value(kToolVersion);
  w.key("semanticVersion").value(kToolVersion);
  w.key("rules").begin_array();
  for (const auto& r : rules) {
    w.begin_object();
    w.key("id").value(r.id);
    w.key("name").value(r.slug);
    w.key("shortDescription").begin_object().key("text").value(r.summary).end_object();
    w.key("fullDescription").begin_object().key("text").value(r.summary).end_object();
    w.key("help").begin_object().key("text").value(r.doc).key("markdown").value(r.doc).end_object();
    w.key("defaultConfiguration").begin_object().key("level").value(level_of(r.severity)).end_object();
    w.key("properties").begin_object();
    w.key("tags").begin_array();
    w.value("security");
    for (int c : r.cwe) w.value("external/cwe/cwe-" + std::to_string(c));
    w.end_array();
    w.key("precision").value(r.confidence == Confidence::high ? "high" : r.confidence == Confidence::medium ? "medium" : "low");
    w.key("security-severity").value(security_score(r.severity));
    w.key("engine").value(r.engine);
    w.end_object();
    w.end_object();
  }
  w.end_array();
  w.end_object().end_object();  // driver, tool

  bool complete = true;
  w.key("invocations").begin_array().begin_object();
  w.key("toolExecutionNotifications").begin_array();
  for (const auto& t : report.targets) {
    for (const auto& i : t.incomplete) {
      complete = false;
      w.begin_object();
      w.key("level").value("warning");
      w.key("message").begin_object().key("text").value(artifact_uri(t, i.file) + ": not analysed: " + i.reason).end_object();
      w.end_object();
    }
  }
  w.end_array();
  w.key("executionSuccessful").value(complete);
  w.end_object().end_array();

  w.key("results").begin_array();
  for (const auto& t : report.targets) {
    for (const Finding* f : visible_findings(t, options)) {
      w.begin_object();
      w.key("ruleId").value(f->rule_id);
      if (auto it = index.find(f->rule_id); it != index.end()) w.key("ruleIndex").value(it->second);
      w.key("level").value(level_of(f->severity));
      w.key("message").begin_object().key("text").value(f->title + ": " + f->message).end_object();
      w.key("locations").begin_array().begin_object();
      w.key("physicalLocation").begin_object();
      w.key("artifactLocation").begin_object().key("uri").value(artifact_uri(t, f->file)).end_object();
      if (f->line > 0) {
        w.key("region").begin_object();
        w.key("startLine").value(f->line);
        if (f->column > 0) w.key("startColumn").value(f->column);
        if (!f->snippet.empty()) w.key("snippet").begin_object().key("text").value(f->snippet).end_object();
        w.end_object();
      }
      w.end_object().end_object().end_array();
      if (!f->evidence.empty()) {
        // Source -> calls -> sink, as one thread flow.
        w.key("codeFlows").begin_array().begin_object().key("threadFlows").begin_array().begin_object();
        w.key("locations").begin_array();
        for (const auto& e : f->evidence) {
          w.begin_object().key("location").begin_object();
          w.key("physicalLocation").begin_object();
          w.key("artifactLocation").begin_object().key("uri").value(artifact_uri(t, e.file)).end_object();
          if (e.line > 0) w.key("region").begin_object().key("startLine").value(e.line).end_object();
          w.end_object();
          w.key("message").begin_object().key("text").value(e.note).end_object();
          w.end_object().end_object();
        }
        w.end_array();
        w.end_object().end_array().end_object().end_array();
      }
      w.key("partialFingerprints").begin_object().key("modelgateFingerprint/v1").value(f->fingerprint).end_object();
      if (f->baseline != BaselineState::none) w.key("baselineState").value(f->baseline == BaselineState::existing ? "unchanged" : "new");
      w.key("properties").begin_object();
      w.key("severity").value(to_string(f->severity));
      w.key("confidence").value(to_string(f->confidence));
      w.key("load_reachable").value(reach_name(f->load_reachable));
      w.key("target").value(t.target);
      w.end_object();
      w.end_object();
    }
  }
  w.end_array();
  w.end_object().end_array();  // run, runs
  w.end_object();
  return w.take() + "\n";
}

}  // namespace mg
