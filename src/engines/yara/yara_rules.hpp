// Compiled YARA rule sets: the bundled rules (rules/yara/<ID>-<slug>/rule.yar, embedded in the
// binary) and user rules (--yara-rules PATH). A set is compiled once and shared read-only by every
// scanner (YR_RULES is heavy, YR_SCANNER is cheap).
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "core/severity.hpp"

struct YR_RULES;  // libyara; kept out of this header

namespace mg {

// What a matching rule turns into: taken from the rule registry for bundled rules, from the rule's
// own `meta:` for user rules.
struct YaraRuleMeta {
  std::string name;         // YARA identifier, e.g. YR101_reverse_shell_socket_dup2
  std::string id;           // meta id; default: the identifier
  std::string description;  // meta description; default: "YARA rule <name> matched"
  Severity severity = Severity::medium;
  Confidence confidence = Confidence::medium;
  std::vector<int> cwe;     // meta cwe: 506, "506" or "CWE-506, CWE-94"; default none
};

// One rule source: a file name (for messages) and its text.
struct YaraSource {
  std::string name;
  std::string text;
};

class CompiledRules {
 public:
  CompiledRules(YR_RULES* rules, std::vector<YaraRuleMeta> metas, std::vector<std::string> warnings, bool bundled);
  ~CompiledRules();
  CompiledRules(const CompiledRules&) = delete;
  CompiledRules& operator=(const CompiledRules&) = delete;

  YR_RULES* get() const { return rules_; }
  bool bundled() const { return bundled_; }
  // Indexed like libyara's rules table.
  const std::vector<YaraRuleMeta>& metas() const { return metas_; }
  std::size_t size() const { return metas_.size(); }
  // Compiler warnings ("file:line: warning: ..."), e.g. strings that slow scanning down.
  const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  YR_RULES* rules_;
  std::vector<YaraRuleMeta> metas_;
  std::vector<std::string> warnings_;
  bool bundled_;
};

using CompiledRulesPtr = std::shared_ptr<const CompiledRules>;

// Initialises libyara once per process (thread-safe); false if it could not.
bool yara_initialized();

// Compiles user rules. Each path is a rule file or a folder whose *.yar / *.yara files (recursive,
// sorted) are compiled together. A rule that does not compile yields an Error whose message holds
// one "file:line: message" per diagnostic.
Result<CompiledRulesPtr> compile_yara_rules(const std::vector<std::string>& paths);

// Compiles in-memory sources (tests, bench). Same error format, with YaraSource::name as file.
Result<CompiledRulesPtr> compile_yara_sources(const std::vector<YaraSource>& sources, bool bundled);

// The bundled rules, compiled on first use and then shared. An error here is a build defect.
const Result<CompiledRulesPtr>& bundled_yara_rules();

// The embedded rule.yar texts, sorted by path (rules/yara/<ID>-<slug>/rule.yar).
std::vector<YaraSource> bundled_yara_sources();

}  // namespace mg
