#include <fmt/format.h>

#include <cstdio>

#include "cli/commands.hpp"
#include "core/json_writer.hpp"
#include "core/rule.hpp"

namespace mg {

namespace {
std::string cwe_list(const RuleInfo& r) {
  std::string s;
  for (int c : r.cwe) s += (s.empty() ? "CWE-" : ",CWE-") + std::to_string(c);
  return s.empty() ? "-" : s;
}
std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }
}  // namespace

int run_rules(const std::string& format) {
  const auto& reg = RuleRegistry::builtin();
  if (format == "json") {
    JsonWriter w(true);
    w.begin_array();
    for (const auto& r : reg.all()) {
      w.begin_object();
      w.key("id").value(r.id).key("slug").value(r.slug).key("summary").value(r.summary).key("engine").value(r.engine);
      w.key("severity").value(to_string(r.severity)).key("confidence").value(to_string(r.confidence));
      w.key("cwe").begin_array();
      for (int c : r.cwe) w.value(c);
      w.end_array();
      w.key("equivalents").begin_object();
      w.key("bandit").string_or_null(r.equivalents.bandit);
      w.key("semgrep").string_or_null(r.equivalents.semgrep);
      w.key("codeql").string_or_null(r.equivalents.codeql);
      w.end_object();
      w.end_object();
    }
    w.end_array();
    std::printf("%s\n", w.str().c_str());
    return 0;
  }
  std::printf("%-7s %-10s %-8s %-6s %-16s %-7s %s\n", "ID", "ENGINE", "SEVERITY", "CONF", "CWE", "BANDIT", "SUMMARY");
  for (const auto& r : reg.all()) {
    std::printf("%-7s %-10s %-8s %-6s %-16s %-7s %s\n", r.id.c_str(), r.engine.c_str(), std::string(to_string(r.severity)).c_str(),
                std::string(to_string(r.confidence)).c_str(), cwe_list(r).c_str(), or_dash(r.equivalents.bandit).c_str(), r.summary.c_str());
  }
  return 0;
}

int run_explain(const std::string& id) {
  const RuleInfo* r = RuleRegistry::builtin().find(id);
  if (r == nullptr) {
    std::fprintf(stderr, "modelgate: no rule %s (see `modelgate rules`)\n", id.c_str());
    return 2;
  }
  std::string eq;
  if (!r->equivalents.bandit.empty()) eq += " bandit " + r->equivalents.bandit;
  if (!r->equivalents.semgrep.empty()) eq += " semgrep " + r->equivalents.semgrep;
  if (!r->equivalents.codeql.empty()) eq += " codeql " + r->equivalents.codeql;
  std::printf("%s %s: %s\n", r->id.c_str(), r->slug.c_str(), r->summary.c_str());
  std::printf("engine %s, severity %s, confidence %s, %s%s%s\n\n", r->engine.c_str(), std::string(to_string(r->severity)).c_str(),
              std::string(to_string(r->confidence)).c_str(), cwe_list(*r).c_str(), eq.empty() ? "" : ", equivalents:", eq.c_str());
  std::printf("%s\n", r->doc.c_str());
  return 0;
}

}  // namespace mg
