// A Finding, as the JSON contract defines it.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/rule.hpp"
#include "core/severity.hpp"

namespace mg {

enum class Reach : unsigned char { unknown, yes, no };

// Against a --baseline (docs/configuration.md): none = no baseline given; fresh = not in it ("new");
// existing = its fingerprint is in the baseline, so it does not count for --fail-on.
enum class BaselineState : unsigned char { none, fresh, existing };

// One step of a behaviour finding's evidence: where data came from, the calls it went through,
// where it arrived.
struct EvidenceStep {
  std::string file;
  std::uint32_t line = 0;
  std::string note;
};

struct Finding {
  std::string rule_id;
  std::string engine;
  std::string title;
  std::string message;
  Severity severity = Severity::medium;
  Confidence confidence = Confidence::medium;
  std::vector<int> cwe;
  std::string file;
  std::uint32_t line = 0;    // 1-based; 0 = whole file
  std::uint32_t column = 0;  // 1-based; 0 = unknown
  std::string snippet;
  Reach load_reachable = Reach::unknown;
  std::vector<std::string> reach_path;
  Equivalents equivalents;
  std::vector<EvidenceStep> evidence;  // behaviour findings: source -> calls -> sink
  std::string fingerprint;  // filled by finalize_fingerprints()
  BaselineState baseline = BaselineState::none;  // set by the CLI from --baseline
};

// A finding pre-filled from the rule's metadata (title, severity, confidence, CWE, equivalents).
Finding make_finding(const RuleInfo& rule, std::string file, std::string message);
Finding make_finding(std::string_view rule_id, std::string file, std::string message);

// What the finding's rule is evidence of ("weakness", "behaviour", ...; "" when unclassified).
std::string_view rule_kind(const Finding& f);
// The severity a finding weighs with in a verdict when it runs at load: a weakness pattern
// (Bandit-class, eval, shell=True) is only as dangerous as the data reaching it, which the
// behaviour rules judge, so it weighs at most medium. A behaviour found in code the load is not
// shown to reach (load_reachable "unknown": only a computed import or call could run it) weighs
// one step less.
Severity weighed_severity(const Finding& f);

// Stable fingerprints: rule, file and snippet (not the line, which moves with edits), with an
// occurrence counter so identical lines in one file stay distinct.
void finalize_fingerprints(std::vector<Finding>& findings);

// Orders findings for display: reachable first, then severity (high first), file, line, rule.
void sort_findings(std::vector<Finding>& findings);

}  // namespace mg
