// Analyses one Python file: one tree-sitter parse, one walk that builds the module index and
// dispatches each node to the rules that asked for its type, then suppression comments.
// An Analyzer is immutable after construction and shared by every worker thread; each thread
// brings its own Parser.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "behaviour/model.hpp"
#include "core/finding.hpp"
#include "core/string_map.hpp"
#include "python/checker.hpp"
#include "python/load_calls.hpp"
#include "python/module_facts.hpp"
#include "python/module_index.hpp"
#include "python/tree.hpp"

namespace mg::py {

struct AnalyzerOptions {
  std::uint64_t parse_timeout_micros = 5'000'000;
  std::size_t max_tree_bytes = Parser::kMaxTreeBytes;  // memory one file's syntax tree may take
  std::uint64_t max_nodes = 20'000'000;
  // A file whose error nodes cover at least this fraction of its bytes is reported incomplete.
  double partial_error_fraction = 0.10;
  // `# nosec` and `# modelgate: ignore[...]`. Comments in a hub repository are written by the
  // repository's author, so a caller scanning untrusted code may want them off.
  bool honor_suppressions = true;
  // Build the behaviour model (the behaviour stage links files through it).
  bool behaviour = true;
};

struct FileAnalysis {
  std::vector<Finding> findings;  // in walk order
  ModuleIndex index;
  ModuleFacts facts;  // for the reachability stage, collected on the same walk
  behaviour::FileModel model;  // for the behaviour stage: what each scope does, with whose data
  std::vector<CrossRepoCall> cross_repo_calls;  // calls that fetch another repository's code or weights
  std::optional<std::string> incomplete;  // why the file was not (fully) analysed
  std::size_t suppressed = 0;             // findings dropped by suppression comments
};

// Every rule listed in rules/python/rules.def, sorted by id.
std::span<const RuleSpec* const> builtin_python_rules();

class Analyzer {
 public:
  explicit Analyzer(std::span<const RuleSpec* const> rules = builtin_python_rules());

  FileAnalysis analyse(std::string_view path, std::string_view source, Parser& parser,
                       const AnalyzerOptions& options = {}) const;

 private:
  std::vector<std::vector<const RuleSpec*>> by_type_;  // on_node rules per grammar::kNodeTypes index
  StringMap<std::vector<const RuleSpec*>> calls_by_name_;  // probed by string_view per call
  std::vector<const RuleSpec*> calls_any_;
  std::vector<const RuleSpec*> imports_;
  std::vector<const RuleSpec*> strings_;
  std::vector<const RuleSpec*> files_;
  std::vector<const RuleSpec*> ends_;
};

// Parses a suppression comment: returns false when the comment suppresses nothing; `all` is set for
// a blanket `# nosec`, otherwise `ids` lists the Bandit and modelgate ids named.
bool parse_suppression(std::string_view comment, bool& all, std::vector<std::string>& ids);

}  // namespace mg::py
