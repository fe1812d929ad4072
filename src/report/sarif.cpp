// SARIF 2.1.0: one run; tool.driver.rules generated from the rule registry (same data as
// `modelgate rules`); one result per finding with a partial fingerprint for baselines.
#include <cctype>
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

// RFC 3986 percent-encoding of a path: unreserved characters and '/' stay; `keep` adds more.
std::string percent_encode(std::string_view path, std::string_view keep) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : path) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || keep.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

// artifactLocation as GitHub code scanning maps it to a file of the checkout: a local target given
// as a relative path (scan from the repository root) gives a relative URI against %SRCROOT%; an
// absolute path a file:// URI; a hub target its id (hf:org/name/file), which no checkout has.
void write_artifact_location(JsonWriter& w, const TargetReport& t, const std::string& file) {
  const std::string path = artifact_uri(t, file);
  w.key("artifactLocation").begin_object();
  if (t.kind == "hub") {
    w.key("uri").value(percent_encode(sanitize_utf8(path), ":@"));
  } else if (!path.empty() && path.front() == '/') {
    w.key("uri").value("file://" + percent_encode(path, ""));
  } else {
    std::string normal;
    if (!normalize_relative(path, normal) || normal.empty()) normal = path;  // "../x" stays as written
    w.key("uri").value(percent_encode(normal, ""));
    w.key("uriBaseId").value("%SRCROOT%");
  }
  w.end_object();
}

// A load-path node "config.json:auto_map.AutoModel" / "modeling_x.py:XModel.__init__": the file
// part (reach paths name files of the snapshot, then where in them).
std::string reach_node_file(const std::string& node) {
  const auto colon = node.find(':');
  return colon == std::string::npos ? node : node.substr(0, colon);
}

// codeFlows: the load path (trigger -> module -> function -> the finding) and, for behaviour
// findings, the evidence (source -> calls -> sink), one thread flow each.
void write_code_flows(JsonWriter& w, const TargetReport& t, const Finding& f) {
  if (f.reach_path.empty() && f.evidence.empty()) return;
  auto location = [&](const std::string& file, std::uint32_t line, const std::string& note) {
    w.begin_object().key("location").begin_object();
    w.key("physicalLocation").begin_object();
    write_artifact_location(w, t, file);
    if (line > 0) w.key("region").begin_object().key("startLine").value(line).end_object();
    w.end_object();
    w.key("message").begin_object().key("text").value(note).end_object();
    w.end_object().end_object();
  };
  auto flow = [&](std::string_view what, auto&& steps) {
    w.begin_object();
    w.key("message").begin_object().key("text").value(what).end_object();
    w.key("threadFlows").begin_array().begin_object().key("locations").begin_array();
    steps();
    w.end_array().end_object().end_array();
    w.end_object();
  };
  w.key("codeFlows").begin_array();
  if (!f.reach_path.empty()) {
    flow("load path: from the loader's entry to the finding", [&] {
      for (const auto& node : f.reach_path) location(reach_node_file(node), 0, node);
      location(f.file, f.line, f.rule_id + ": " + f.title);
    });
  }
  if (!f.evidence.empty()) {
    flow("evidence: source -> calls -> sink", [&] {
      for (const auto& e : f.evidence) location(e.file, e.line, e.note);
    });
  }
  w.end_array();
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
      write_artifact_location(w, t, f->file);
      if (f->line > 0) {
        w.key("region").begin_object();
        w.key("startLine").value(f->line);
        if (f->column > 0) w.key("startColumn").value(f->column);
        if (!f->snippet.empty()) w.key("snippet").begin_object().key("text").value(f->snippet).end_object();
        w.end_object();
      }
      w.end_object().end_object().end_array();
      write_code_flows(w, t, *f);
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
