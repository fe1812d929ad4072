// The JSON contract v1 (DESIGN.md). Field names and meanings are frozen; fields may be added.
#include <map>

#include "core/json_writer.hpp"
#include "report/report.hpp"

namespace mg {

namespace {

void write_strings(JsonWriter& w, const std::vector<std::string>& items) {
  w.begin_array();
  for (const auto& s : items) w.value(s);
  w.end_array();
}

void write_finding(JsonWriter& w, const Finding& f) {
  w.begin_object();
  w.key("rule_id").value(f.rule_id);
  w.key("engine").value(f.engine);
  w.key("title").value(f.title);
  w.key("message").value(f.message);
  w.key("severity").value(to_string(f.severity));
  w.key("confidence").value(to_string(f.confidence));
  w.key("cwe").begin_array();
  for (int c : f.cwe) w.value(c);
  w.end_array();
  w.key("file").value(f.file);
  w.key("line").value(f.line);
  w.key("column").value(f.column);
  w.key("snippet").value(f.snippet);
  w.key("load_reachable");
  if (f.load_reachable == Reach::unknown) w.value("unknown");
  else w.value(f.load_reachable == Reach::yes);
  w.key("reach_path");
  write_strings(w, f.reach_path);
  w.key("equivalents").begin_object();
  w.key("bandit").string_or_null(f.equivalents.bandit);
  w.key("semgrep").string_or_null(f.equivalents.semgrep);
  w.key("codeql").string_or_null(f.equivalents.codeql);
  w.end_object();
  // Added in 0.2: what the rule is evidence of, the severity it weighs with when it runs at
  // load, and for behaviour findings the chain from source to sink.
  w.key("kind").string_or_null(std::string(rule_kind(f)));
  w.key("weight").value(to_string(weighed_severity(f)));
  w.key("evidence").begin_array();
  for (const auto& e : f.evidence) w.begin_object().key("file").value(e.file).key("line").value(e.line).key("note").value(e.note).end_object();
  w.end_array();
  w.key("fingerprint").value(f.fingerprint);
  // Added in 0.2, only with --baseline: "new" or "existing" (in the baseline; not counted for --fail-on).
  if (f.baseline != BaselineState::none) w.key("baseline_state").value(f.baseline == BaselineState::existing ? "existing" : "new");
  w.end_object();
}

void write_target(JsonWriter& w, const TargetReport& t, const RenderOptions& options) {
  w.begin_object();
  w.key("target").value(t.target);
  w.key("platform").value(t.plan.platform);
  w.key("status").value(t.partial() ? "partial" : "complete");
  if (!t.followed_from.empty()) {
    // --follow-remote-code (added in 0.2): where this target's code was named.
    const Trigger& r = t.followed_reference;
    w.key("followed_from").value(t.followed_from);
    w.key("followed_reference").begin_object();
    w.key("file").value(r.file).key("key").value(r.key).key("value").value(r.value).key("remote_repo").value(r.remote_repo);
    w.key("depth").value(static_cast<std::uint64_t>(t.followed_depth));
    w.end_object();
  }
  w.key("incomplete").begin_array();
  for (const auto& i : t.incomplete) {
    w.begin_object().key("file").value(i.file).key("reason").value(i.reason).end_object();
  }
  w.end_array();
  w.key("source").begin_object();
  w.key("kind").value(t.kind);
  w.key("repo_id").string_or_null(t.repo_id);
  w.key("revision").string_or_null(t.revision);
  if (t.transfer) {
    const Transfer& x = *t.transfer;
    w.key("transfer").begin_object();
    w.key("endpoint").value(x.endpoint);
    w.key("repository_bytes").value(x.repository_bytes);
    w.key("fetched_bytes").value(x.fetched_bytes);
    w.key("cached_bytes").value(x.cached_bytes);
    w.key("local_bytes").value(x.local_bytes);
    w.key("requests").value(x.requests);
    w.key("rounds").value(x.rounds);
    w.end_object();
  }
  w.end_object();
  w.key("custom_code").begin_object();
  w.key("required").value(t.plan.custom_code_required());
  w.key("paper_criteria").begin_object();
  w.key("custom_code_tag").value(t.plan.paper.custom_code_tag);
  w.key("entry_files");
  write_strings(w, t.plan.paper.entry_files);
  w.key("prefixed_files");
  write_strings(w, t.plan.paper.prefixed_files);
  w.key("required").value(t.plan.paper.custom_code_tag || !t.plan.paper.entry_files.empty() || !t.plan.paper.prefixed_files.empty());
  w.end_object();
  w.key("triggers").begin_array();
  for (const auto& tr : t.plan.triggers) {
    w.begin_object();
    w.key("file").value(tr.file);
    w.key("key").value(tr.key);
    w.key("loader").value(tr.loader);
    w.key("gate").value(tr.gate);
    w.key("module").value(tr.module);
    w.key("symbol").string_or_null(tr.symbol);
    w.key("remote_repo").string_or_null(tr.remote_repo);
    w.key("rule_id").value(tr.rule_id);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  w.key("execution_relevant_files");
  write_strings(w, t.plan.module_files);
  w.key("required_packages");
  write_strings(w, t.plan.required_packages);
  w.key("deserialization").begin_array();
  for (const auto& d : t.plan.deserialization) {
    w.begin_object().key("file").value(d.file).key("format").value(d.format).key("loader").value(d.loader);
    w.key("read_at_load").value(d.read_at_load).end_object();
  }
  w.end_array();
  w.key("verdict").value(verdict_name(t));
  // Added in 0.3: the repository's OMS signature (model.sig), as far as a scan can check it.
  const Integrity& in = t.integrity;
  w.key("integrity").begin_object();
  w.key("signed").value(!in.signature_file.empty());
  w.key("signature_file").string_or_null(in.signature_file);
  w.key("method").string_or_null(in.method);
  w.key("signer").string_or_null(in.signer);
  w.key("identity").string_or_null(in.identity);  // keyless (sigstore) only
  w.key("issuer").string_or_null(in.issuer);
  w.key("signature_valid");
  if (in.signature_valid) w.value(*in.signature_valid);
  else w.null();
  w.key("files_match");
  if (in.files_match) w.value(*in.files_match);
  else w.null();
  w.key("mismatches");
  write_strings(w, in.mismatches);
  w.key("problem").string_or_null(in.problem);
  w.end_object();
  w.key("findings").begin_array();
  for (const Finding* f : visible_findings(t, options)) write_finding(w, *f);
  w.end_array();
  w.end_object();
}

}  // namespace

std::string render_json(const ScanReport& report, const RenderOptions& options) {
  JsonWriter w(true);
  w.begin_object();
  w.key("tool").begin_object().key("name").value(kToolName).key("version").value(kToolVersion).end_object();
  w.key("targets").begin_array();
  std::size_t findings = 0, partial = 0;
  std::map<Severity, std::size_t> by_severity;
  for (const auto& t : report.targets) {
    write_target(w, t, options);
    for (const Finding* f : visible_findings(t, options)) {
      ++findings;
      ++by_severity[f->severity];
    }
    partial += t.partial() ? 1 : 0;
  }
  w.end_array();
  w.key("summary").begin_object();
  w.key("targets").value(report.targets.size());
  w.key("partial").value(partial);
  w.key("findings").value(findings);
  w.key("by_severity").begin_object();
  for (Severity s : {Severity::critical, Severity::high, Severity::medium, Severity::low}) w.key(to_string(s)).value(by_severity[s]);
  w.end_object();
  w.end_object();
  w.end_object();
  return w.take() + "\n";
}

std::string render_jsonl(const ScanReport& report, const RenderOptions& options) {
  std::string out;
  for (const auto& t : report.targets) {
    JsonWriter w(false);
    write_target(w, t, options);
    out += w.take();
    out += '\n';
  }
  return out;
}

}  // namespace mg
