// What a Python rule sees: the parsed file, the names resolved so far, a decoded view of each call,
// and report(). Rules declare the events they want in a RuleSpec (rules/python/rules.def lists
// them); the engine walks each file once and dispatches every node to the rules that asked for it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/severity.hpp"
#include "python/module_index.hpp"
#include "python/tree.hpp"

namespace mg::py {

// A call, decoded once and shared by every rule that looks at it.
struct Call {
  TSNode node{};
  TSNode func{};
  std::string qualname;   // Bandit's resolved callee name; "" when the callee is not a name chain
  std::string_view name;  // last component of qualname
  std::vector<TSNode> args;  // positional arguments, in order
  std::vector<std::pair<std::string_view, TSNode>> keywords;
  bool star_args = false;    // *args present
  bool star_kwargs = false;  // **kwargs present

  TSNode keyword(std::string_view k) const;  // the value node, or a null node
  bool has_keyword(std::string_view k) const { return !ts_node_is_null(keyword(k)); }
  TSNode arg(std::size_t i) const { return i < args.size() ? args[i] : TSNode{}; }
  // Keyword `k` if given, else positional argument `pos`.
  TSNode arg_or_keyword(std::size_t pos, std::string_view k) const;
};

Call decode_call(const Tree& tree, const NameTable& names, TSNode call);

// One finding as a rule reports it; the engine turns it into an mg::Finding.
struct Hit {
  std::string rule_id;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::uint32_t last_line = 0;  // end of the reported node (suppression comments may sit there)
  std::string message;
  std::optional<Severity> severity;  // overrides the rule's default
  std::optional<Confidence> confidence;
};

class Checker {
 public:
  Checker(const Tree& tree, const NameTable& names, std::string_view path) : tree_(tree), names_(names), path_(path) {}

  const Tree& tree() const { return tree_; }
  const NameTable& names() const { return names_; }
  std::string_view path() const { return path_; }
  std::string_view text(TSNode n) const { return tree_.text(n); }
  std::string qualname(TSNode n) const { return names_.qualname(tree_, n); }
  std::optional<std::string> literal(TSNode n) const { return names_.literal_string(tree_, n); }
  bool imported_exact(std::string_view m) const { return names_.imported_exact(m); }
  bool imported_like(std::string_view m) const { return names_.imported_like(m); }
  bool in_function() const { return in_function_; }
  void set_in_function(bool v) { in_function_ = v; }
  // Parent of a node on the path the walk is on (cheap); other nodes fall back to tree-sitter's
  // ts_node_parent, which searches from the root.
  TSNode parent(TSNode n) const;
  void set_ancestors(const std::vector<TSNode>* stack) { ancestors_ = stack; }

  void report(std::string_view rule_id, TSNode at, std::string message);
  void report(std::string_view rule_id, TSNode at, std::string message, Severity s, Confidence c);
  // Reports at a given line (Bandit reports some checks at an argument's line).
  void report_line(std::string_view rule_id, TSNode at, std::uint32_t line, std::string message,
                   std::optional<Severity> s = std::nullopt, std::optional<Confidence> c = std::nullopt);

  std::vector<Hit>& hits() { return hits_; }

 private:
  const Tree& tree_;
  const NameTable& names_;
  std::string_view path_;
  bool in_function_ = false;
  const std::vector<TSNode>* ancestors_ = nullptr;
  std::vector<Hit> hits_;
};

// An import a rule can match: one name of an import statement, or a dynamic import call.
struct ImportEvent {
  TSNode node{};  // the statement or the call
  const ImportRecord* record = nullptr;
};

// A rule's entry points; unused hooks stay null. Space-separated lists keep the specs constant data.
struct RuleSpec {
  const char* id = nullptr;
  // Calls: `call_names` limits them to callees whose last name component is listed (nullptr = all).
  const char* call_names = nullptr;
  void (*on_call)(Checker&, const Call&) = nullptr;
  void (*on_import)(Checker&, const ImportEvent&) = nullptr;
  // Any other node types (tree-sitter-python names), e.g. "assert_statement".
  const char* node_types = nullptr;
  void (*on_node)(Checker&, TSNode) = nullptr;
  // String literals that are not bare expression statements (docstrings); value is decoded.
  void (*on_string)(Checker&, TSNode, std::string_view) = nullptr;
  // Once per file, on the raw bytes, before the walk (file-level checks such as bidi characters).
  void (*on_file)(Checker&, std::string_view) = nullptr;
  // Once per file after the walk, when every name is resolved: for rules that gather candidates
  // during the walk and judge them at the end.
  void (*on_end)(Checker&) = nullptr;
};

// Helpers shared by rules -------------------------------------------------------------------

// Python truthiness of a literal expression as Bandit judges a keyword value: nullopt when the
// value is not a literal (names, calls...).
std::optional<bool> literal_truth(const Tree& tree, TSNode n);
// Integer literal value (decimal, 0x, 0o, 0b, Python 2 octal "0777"); nullopt otherwise.
std::optional<long long> literal_int(const Tree& tree, TSNode n);
bool is_string_literal(TSNode n);  // string or implicit concatenation (f-strings included)
bool is_fstring(const Tree& tree, TSNode n);
// Import blacklist matching with Bandit's semantics (prefix for statements, exact for dynamic).
bool import_matches(const ImportRecord& rec, std::initializer_list<std::string_view> modules);
bool one_of(std::string_view s, std::initializer_list<std::string_view> set);
// Bandit's "literal" view of a keyword value: the attribute name of `a.b`, the identifier of a
// name, the text of True/False/None, the decoded string; nullopt for anything else.
std::optional<std::string> bandit_value(const Tree& tree, TSNode n);
// Source line of a keyword's value, or the call's line when the keyword is absent.
std::uint32_t keyword_line(const Call& call, std::string_view k);
// Bandit's password-name test (B105-B107): the word alone or delimited by underscores
// ("password", "db_pass", "secret_key"...).
bool is_password_name(std::string_view name);
// For a broad handler (bare `except:` or `except Exception[ as e]:`, Bandit's default) whose body
// is one statement (comments aside): that statement; a null node otherwise.
TSNode sole_statement_of_broad_handler(const Checker& c, TSNode except_clause);

}  // namespace mg::py
