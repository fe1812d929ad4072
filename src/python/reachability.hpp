// Load-time reachability (issue 4): which repository modules a load executes and which functions
// run, starting from the LoadPlan's entry points, over an import graph and a conservative call
// graph built from ModuleFacts.
//
// What runs: the body of every module imported at load (the trigger modules, their imports,
// transitively; an import inside a function runs when that function does), class bodies,
// decorators, default values, and the functions the loader protocol calls on a trigger's class
// (kLoaderProtocol), then everything those reference. References are followed by name: a name
// bound in scope, `self.m`/`cls.m` (the class, its repository bases and subclasses), `super().m`,
// `module.f`, `Class.m`; a method called on an unknown receiver reaches every repository method of
// that name. Referencing a function (a callback, `self.apply(self._init_weights)`) counts as a call.
// Code under `if __name__ == "__main__":` never runs at load. Where the code computes what it calls
// (getattr with a computed name, exec/eval) or imports (a computed module name), "not reached"
// becomes "unknown" rather than false.
#pragma once
#include <map>
#include <unordered_map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/finding.hpp"
#include "core/string_map.hpp"
#include "platform/load_plan.hpp"
#include "python/module_facts.hpp"

namespace mg::py {

class Reachability {
 public:
  // `modules`: facts of every .py file of the snapshot, by path.
  Reachability(const LoadPlan& plan, std::map<std::string, ModuleFacts> modules);

  // load_reachable for a finding at file:line, with the path from the trigger when reachable.
  Reach classify(const std::string& file, std::uint32_t line, std::vector<std::string>* path) const;
  bool knows(const std::string& file) const { return modules_.find(file) != modules_.end(); }

  std::vector<std::string> executed_modules() const;

  // For the behaviour engine, which follows data along the same call graph once per call site
  // (by index: no path lookups in its loop):
  // the index of a module (-1 when it is not part of the snapshot's Python);
  int module_index(std::string_view file) const;
  // classify() without the path;
  Reach classify(int module, std::uint32_t line) const;
  // the def of a module whose body starts at `body_first_line` and is named `name` (-1 if none);
  int def_index(int module, std::uint32_t body_first_line, std::string_view name) const;
  // the functions a reference made in scope `def` of a module may call, as (module, def) pairs,
  // by the rules in the table above (a class reference: its instantiation methods).
  // Only reads the index: threads may call it side by side.
  std::vector<std::pair<int, int>> resolve(int module, int def, std::string_view ref) const;
  // Third-party top-level packages the executed code imports outside try: blocks.
  const std::vector<std::string>& required_packages() const { return required_; }

 private:
  using Node = std::pair<int, int>;  // (module index, def index or -1 for the module body)

  struct Binding {
    int module = -1;        // target module index
    std::string symbol;     // "" = the module itself
  };

  void build_indexes();
  void run(const LoadPlan& plan);
  void reach(Node n, Node from, std::string label_if_root = {});
  void execute_module(int m, Node from);
  void process_scope(int m, int def);
  void resolve_ref(int m, int scope, std::string_view ref, Node from);
  void reach_symbol(int m, std::string_view name, Node from, bool protocol);
  void reach_class(int m, int cls, Node from, bool protocol);
  void reach_methods(int m, int cls, std::string_view name, Node from, bool up, bool down);
  std::vector<Binding> resolve_import(int m, const ImportFact& imp, bool& third_party) const;
  int module_for(const std::string& dotted_path_base) const;
  int enclosing_class(int m, int def) const;
  std::string node_label(Node n) const;

  // Lookups per module, so resolving a reference costs a hash probe, not a scan.
  struct Lookup {
    StringMap<std::vector<int>> defs_by_name;
    std::unordered_map<int, std::vector<int>> children;          // defs by parent (-1 = module)
    StringMap<std::vector<int>> imports_by_bound;
    std::unordered_map<int, std::vector<int>> imports_by_scope;  // import indexes by scope
    std::vector<std::vector<Binding>> bindings;                  // resolve_import per import
    std::vector<char> third_party;
  };
  const std::vector<int>& defs_named(int m, std::string_view name) const;
  const std::vector<int>& imports_bound(int m, std::string_view name) const;

  std::vector<ModuleFacts> facts_;
  std::vector<Lookup> lookup_;
  StringMap<int> modules_;  // path -> index
  std::vector<char> executed_;
  std::vector<std::vector<char>> reached_;  // per module, per def
  std::map<Node, std::pair<Node, std::string>> pred_;  // for reach paths; root: (self, trigger label)
  std::vector<Node> work_;
  // class (module, def) -> repository base classes and subclasses
  std::map<Node, std::vector<Node>> bases_, subclasses_;
  StringMap<std::vector<Node>> methods_by_name_;
  std::vector<std::string> required_;
  bool any_import_ = false;                  // a computed import with no constant part ran
  std::vector<std::string> import_prefixes_;  // folder prefixes of the other computed imports that ran
  bool dynamic_dispatch_ = false;
  bool may_import_computed(const std::string& file) const;
};

}  // namespace mg::py
