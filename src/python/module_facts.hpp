// What reachability needs to know about one Python file, read in one iterative walk of its tree:
// the functions and classes it defines (with body line ranges), the names each scope references,
// its imports (and where they sit), `if __name__ == "__main__":` blocks, and whether it does
// things a static call graph cannot follow (getattr with a computed name, exec, computed imports).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "python/tree.hpp"

namespace mg::py {

struct LineRange {
  std::uint32_t first = 0;
  std::uint32_t last = 0;
  bool contains(std::uint32_t line) const { return line >= first && line <= last; }
};

struct DefFact {
  std::string name;
  std::string qualname;  // Outer.inner
  bool is_class = false;
  int parent = -1;       // enclosing def, -1 = module level
  LineRange body;        // the indented body (decorators and defaults run in the parent scope)
  std::vector<std::string> bases;  // classes: base expressions as written ("nn.Module", "Base")
  std::vector<std::string> refs;   // names the body references: "f", "self.m", "mod.f", "super.m", ".m"
  bool decorated = false;
};

struct ImportFact {
  std::string module;  // "a.b" (without leading dots)
  std::string name;    // from-import name ("" for `import a.b`, "*" for wildcards)
  std::string alias;   // bound name when `as` is used
  int level = 0;       // leading dots
  int scope = -1;      // enclosing def, -1 = module level
  std::uint32_t line = 0;
  bool in_try = false;  // guarded by try: (optional dependency)
  std::string bound() const;  // the local name the import binds
};

struct ModuleFacts {
  std::string path;
  std::vector<DefFact> defs;          // source order
  std::vector<std::string> module_refs;  // references at module level and in module-level class bodies
  std::vector<ImportFact> imports;
  std::vector<LineRange> main_guards;
  // Where the code computes what it calls, by scope (-1 = module level): getattr(x, <computed>),
  // exec/eval, globals()[...]. Only code that runs can compute what else runs.
  std::vector<int> dynamic_dispatch_scopes;
  // importlib.import_module(<computed>), __import__(<computed>): the constant start of the module
  // name ("fairseq.models." for "fairseq.models." + name; "" when nothing of it is constant;
  // a leading "." is relative to this file's package).
  struct ComputedImport {
    int scope = -1;
    std::string prefix;
  };
  std::vector<ComputedImport> computed_imports;
  bool parsed = true;             // false when the parse failed (time limit)

  // Innermost def whose body holds `line`, or -1.
  int innermost_def(std::uint32_t line) const;
};

// Collects facts while another walk visits the tree (so the Python engine's single walk serves
// both its rules and reachability): call enter() for each named node the walk enters and leave()
// for each it leaves, in order. Subtrees the walk skips are simply not seen.
class FactsCollector {
 public:
  FactsCollector(const Tree& tree, std::string_view path);
  ~FactsCollector();
  FactsCollector(const FactsCollector&) = delete;
  FactsCollector& operator=(const FactsCollector&) = delete;
  // `type` is type_index(n), when the caller has it already.
  void enter(TSNode n, std::uint16_t type);
  void enter(TSNode n) { enter(n, type_index(n)); }
  void leave();
  ModuleFacts take();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Walks the tree once just for the facts.
ModuleFacts extract_module_facts(const Tree& tree, std::string_view path);

// Parses and extracts in one call (for callers without a tree at hand).
ModuleFacts read_module_facts(Parser& parser, std::string_view source, std::string_view path);

}  // namespace mg::py
