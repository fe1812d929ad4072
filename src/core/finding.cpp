#include "core/finding.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "core/hash.hpp"
#include "core/text.hpp"

namespace mg {

Finding make_finding(const RuleInfo& rule, std::string file, std::string message) {
  Finding f;
  f.rule_id = rule.id;
  f.engine = rule.engine;
  f.title = rule.summary;
  f.message = std::move(message);
  f.severity = rule.severity;
  f.confidence = rule.confidence;
  f.cwe = rule.cwe;
  f.equivalents = rule.equivalents;
  f.file = std::move(file);
  return f;
}

Finding make_finding(std::string_view rule_id, std::string file, std::string message) {
  return make_finding(RuleRegistry::builtin().get(rule_id), std::move(file), std::move(message));
}

void finalize_fingerprints(std::vector<Finding>& findings) {
  std::map<std::string, int> seen;
  for (auto& f : findings) {
    std::string basis = f.rule_id + '\0' + f.file + '\0' + std::string(trim(f.snippet.empty() ? f.message : f.snippet));
    const int n = seen[basis]++;
    basis += '\0' + std::to_string(n);
    f.fingerprint = sha256_hex(basis).substr(0, 32);
  }
}

namespace {
int reach_rank(Reach r) { return r == Reach::yes ? 0 : r == Reach::unknown ? 1 : 2; }
}  // namespace

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::make_tuple(reach_rank(a.load_reachable), -static_cast<int>(a.severity), std::string_view(a.file), a.line,
                           std::string_view(a.rule_id)) <
           std::make_tuple(reach_rank(b.load_reachable), -static_cast<int>(b.severity), std::string_view(b.file), b.line,
                           std::string_view(b.rule_id));
  });
}

std::string_view rule_kind(const Finding& f) {
  const RuleInfo* rule = RuleRegistry::builtin().find(f.rule_id);
  return rule == nullptr ? std::string_view{} : std::string_view(rule->kind);
}

Severity weighed_severity(const Finding& f) {
  const std::string_view kind = rule_kind(f);
  if (kind == "weakness") return std::min(f.severity, Severity::medium);
  if (kind == "behaviour" && f.load_reachable == Reach::unknown && f.severity > Severity::low) {
    return static_cast<Severity>(static_cast<int>(f.severity) - 1);
  }
  return f.severity;
}

}  // namespace mg
