// The module index of one Python file: imports, aliases, functions, classes and decorators with line
// spans, built in one iterative walk. Name resolution follows Bandit's model (file-wide aliases,
// updated in source order) so qualified names match it line for line; on top of that, simple
// assignments (`p = pickle`) and dynamic imports with a literal name (`m = importlib.import_module(
// "pickle")`) are followed. The import/call graph (issue 4) builds on the records kept here.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/string_map.hpp"
#include "python/tree.hpp"

namespace mg::py {

struct Span {
  std::uint32_t first_line = 0;  // 1-based
  std::uint32_t last_line = 0;
  std::uint32_t start_byte = 0;
  std::uint32_t end_byte = 0;
};
Span span_of(TSNode n);

enum class ImportKind : unsigned char { plain, from, dynamic };

struct ImportRecord {
  ImportKind kind = ImportKind::plain;
  std::string module;  // "a.b"; for from-imports the module part without the leading dots
  std::string name;    // from-imports: the imported name ("*" for a wildcard); otherwise ""
  std::string alias;   // the `as` name, "" when none
  int level = 0;       // leading dots of a relative from-import
  std::uint32_t line = 0;
  int scope = -1;  // enclosing function/class (index into ModuleIndex::scopes), -1 = module level
  // module.name, or module; what Bandit matches import blacklists against.
  std::string qualified() const;
  // The local name the statement binds ("" for wildcards and dynamic imports).
  std::string bound_name() const;
};

enum class ScopeKind : unsigned char { function, klass };

struct ScopeRecord {
  ScopeKind kind = ScopeKind::function;
  std::string name;
  std::string qualname;  // Outer.inner, from the module root
  Span span;             // the definition including its decorators
  int parent = -1;
  bool is_async = false;
  std::vector<std::string> decorators;  // resolved qualified names (a call decorator: its callee)
  std::vector<std::string> bases;       // classes: resolved qualified names of the bases
};

struct ModuleIndex {
  std::vector<ImportRecord> imports;  // in source order
  std::vector<ScopeRecord> scopes;    // functions and classes in source order
  std::vector<Span> error_spans;      // outermost ERROR nodes (their content is not analysed)
  std::uint32_t missing_nodes = 0;    // zero-width nodes tree-sitter inserted to recover
  std::uint64_t error_bytes = 0;
  std::uint64_t nodes = 0;
  bool truncated = false;  // the node budget ran out before the walk finished

  // Fraction of the source inside error nodes.
  double error_fraction(std::size_t source_size) const {
    return source_size == 0 ? 0.0 : static_cast<double>(error_bytes) / static_cast<double>(source_size);
  }
};

// Resolves names as the walk goes. Entries are file-wide, like Bandit's import aliases.
class NameTable {
 public:
  // Bandit's qualified name of a name/attribute chain: aliases applied to the root,
  // "" for other expressions, ".attr" when the chain starts at a non-name (`f().attr`).
  // Beyond Bandit, literal dynamic imports and getattr with a literal name are followed:
  // `__import__("os").system` is os.system, `getattr(pickle, "lo" + "ads")` is pickle.loads.
  std::string qualname(const Tree& tree, TSNode expr) const;
  // The callee's qualified name of a call node.
  std::string call_qualname(const Tree& tree, TSNode call) const;

  // The value of a string expression: literals, implicit and `+` concatenation, parentheses and
  // module-level names assigned a literal once. nullopt for anything else.
  std::optional<std::string> literal_string(const Tree& tree, TSNode n) const;

  bool imported_exact(std::string_view module) const { return imports_.count(std::string(module)) != 0; }
  // Bandit's is_module_imported_like: any import whose name contains `module`.
  bool imported_like(std::string_view module) const;

  const StringMap<std::string>& aliases() const { return aliases_; }
  const std::unordered_set<std::string>& imports() const { return imports_; }

  // Updates, called by IndexBuilder.
  void add_import(const ImportRecord& rec);
  void assign(const Tree& tree, TSNode left, TSNode right, bool module_level);

 private:
  std::string qualname_at(const Tree& tree, TSNode expr, int depth) const;
  std::string callee_at(const Tree& tree, TSNode call, int depth) const;
  std::string resolve_call_value(const Tree& tree, TSNode call, int depth) const;

  StringMap<std::string> aliases_;   // local name -> qualified name
  std::unordered_set<std::string> assigned_;               // aliases created by assignment
  std::unordered_set<std::string> imports_;                // every imported module[.name]
  std::unordered_set<std::string> bound_modules_;          // names `import x[.y]` binds
  std::unordered_map<std::string, std::string> constants_;  // module-level NAME = "literal"
  std::unordered_set<std::string> reassigned_;             // constants assigned more than once
};

// If `call` is importlib.import_module("lit") / importlib.__import__("lit") / __import__("lit"),
// the module name; "" when the argument is not a literal; nullopt for other calls.
std::optional<std::string> dynamic_import_name(const Tree& tree, const NameTable& names, TSNode call,
                                               const std::string& callee_qualname);

// Builds the index; drive it with enter()/leave() from a walk (walk_tree below) or use index_module.
class IndexBuilder {
 public:
  explicit IndexBuilder(const Tree& tree) : tree_(tree) {}
  // Returns false when the node's subtree must be skipped (ERROR nodes). `type` is
  // type_index(n), when the caller has it already.
  bool enter(TSNode n, std::uint16_t type);
  bool enter(TSNode n) { return enter(n, type_index(n)); }
  void leave(TSNode n);

  ModuleIndex& index() { return index_; }
  const NameTable& names() const { return names_; }
  int current_scope() const { return scope_stack_.empty() ? -1 : scope_stack_.back().index; }
  // True while inside a function body (not counting class bodies).
  bool in_function() const { return function_depth_ > 0; }
  // Named nodes from the root to the node being entered (inclusive): parents without
  // ts_node_parent, which searches down from the root.
  const std::vector<TSNode>& path() const { return path_; }

 private:
  void on_import(TSNode n);
  void on_import_from(TSNode n);
  void on_definition(TSNode n, ScopeKind kind);
  void record(ImportRecord rec);

  struct OpenScope {
    std::uint32_t end_byte;
    int index;
    TSNode node;
  };
  const Tree& tree_;
  ModuleIndex index_;
  NameTable names_;
  std::vector<OpenScope> scope_stack_;
  std::vector<TSNode> path_;
  int function_depth_ = 0;
};

// Iterative pre/post-order walk over named nodes (no recursion: hostile files nest deeply).
// enter(node) returns false to skip the node's children. Stops after max_nodes named nodes and
// returns false in that case.
template <typename Enter, typename Leave>
bool walk_tree(TSNode root, Enter&& enter, Leave&& leave, std::uint64_t max_nodes = 50'000'000) {
  if (ts_node_is_null(root)) return true;
  TSTreeCursor cur = ts_tree_cursor_new(root);
  std::uint64_t seen = 0;
  bool complete = true;
  for (;;) {
    const TSNode n = ts_tree_cursor_current_node(&cur);
    const bool named = ts_node_is_named(n);
    bool descend = true;
    if (named) {
      if (++seen > max_nodes) {
        complete = false;
        break;
      }
      descend = enter(n);
    }
    if (descend && ts_tree_cursor_goto_first_child(&cur)) continue;
    if (named) leave(n);
    // Climb until a sibling exists, leaving each finished parent.
    bool done = false;
    while (!ts_tree_cursor_goto_next_sibling(&cur)) {
      if (!ts_tree_cursor_goto_parent(&cur)) {
        done = true;
        break;
      }
      const TSNode p = ts_tree_cursor_current_node(&cur);
      if (ts_node_is_named(p)) leave(p);
    }
    if (done) break;
  }
  ts_tree_cursor_delete(&cur);
  return complete;
}

// Walks the whole tree and returns its index (for callers that need no rules).
ModuleIndex index_module(const Tree& tree, NameTable* names_out = nullptr);

}  // namespace mg::py
