// Rule metadata. Every rule is one folder under rules/ whose README.md starts with a front-matter
// block; the build embeds those files and the registry parses them once at start-up.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/severity.hpp"

namespace mg {

struct Equivalents {
  std::string bandit;   // empty = none
  std::string semgrep;
  std::string codeql;
};

struct RuleInfo {
  std::string id;       // stable, e.g. LD102
  std::string slug;     // kebab-case name of the flagged pattern
  std::string summary;  // one line
  std::string engine;   // python | yara | serialized | config | load
  Severity severity = Severity::medium;
  Confidence confidence = Confidence::medium;
  std::vector<int> cwe;
  Equivalents equivalents;
  std::string since;
  // What a finding of the rule is evidence of: "weakness" (a pattern that is only as dangerous as
  // the data reaching it; weighs at most medium in a verdict), "behaviour", "trigger",
  // "signature", "serialized", "config", "snapshot". Empty: not classified.
  std::string kind;
  std::string doc;   // markdown body after the front matter
  std::string path;  // folder under rules/
};

class RuleRegistry {
 public:
  // The registry of the rules compiled into this binary.
  static const RuleRegistry& builtin();

  const RuleInfo* find(std::string_view id) const;
  // For rule ids the code names literally; a missing id is a build defect and aborts.
  const RuleInfo& get(std::string_view id) const;
  const std::vector<RuleInfo>& all() const { return rules_; }
  // Problems found while parsing the embedded documents (tests require none).
  const std::vector<std::string>& problems() const { return problems_; }

  // Parses one README.md with front matter; exposed for tests.
  static std::optional<RuleInfo> parse(std::string_view path, std::string_view text, std::string& problem);

 private:
  std::vector<RuleInfo> rules_;  // sorted by id
  std::vector<std::string> problems_;
};

}  // namespace mg
