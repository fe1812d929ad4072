#include "python/reachability.hpp"

#include <algorithm>
#include <set>

#include "core/text.hpp"
#include "python/stdlib_modules.hpp"

namespace mg::py {

namespace {

// Methods the loaders call on a trigger's class (from_pretrained and friends), and the ones any use
// of the loaded object calls first.
constexpr std::string_view kLoaderProtocol[] = {
    "__init__", "__new__", "__post_init__", "__call__", "__setstate__", "from_pretrained", "from_config",
    "_from_config", "post_init", "_init_weights", "init_weights", "_tokenize", "tokenize", "forward", "generate", "load", "__del__",
};
// An object built is initialised, and collected in the end (`__del__` runs then).
constexpr std::string_view kInstantiation[] = {"__init__", "__new__", "__post_init__", "__del__"};

std::string dots_to_slashes(std::string s) {
  std::replace(s.begin(), s.end(), '.', '/');
  return s;
}

std::string_view first_component(std::string_view s) { return s.substr(0, s.find('.')); }
std::string_view last_component(std::string_view s) {
  const auto dot = s.rfind('.');
  return dot == std::string_view::npos ? s : s.substr(dot + 1);
}

}  // namespace

Reachability::Reachability(const LoadPlan& plan, std::map<std::string, ModuleFacts> modules) {
  for (auto& [path, facts] : modules) {
    modules_[path] = static_cast<int>(facts_.size());
    facts_.push_back(std::move(facts));
  }
  executed_.assign(facts_.size(), 0);
  reached_.resize(facts_.size());
  for (std::size_t i = 0; i < facts_.size(); ++i) reached_[i].assign(facts_[i].defs.size(), 0);
  build_indexes();
  run(plan);
}

int Reachability::module_for(const std::string& base) const {
  // Called several times per import of every module: one buffer per thread, no strings per probe.
  thread_local std::string key;
  if (!normalize_relative(base, key)) return -1;
  const std::size_t n = key.size();
  key += ".py";
  if (auto it = modules_.find(key); it != modules_.end()) return it->second;
  key.resize(n);
  key += n == 0 ? "__init__.py" : "/__init__.py";
  if (auto it = modules_.find(key); it != modules_.end()) return it->second;
  return -1;
}

std::vector<Reachability::Binding> Reachability::resolve_import(int m, const ImportFact& imp, bool& third_party) const {
  std::vector<Binding> out;
  third_party = false;
  const std::string& path = facts_[static_cast<std::size_t>(m)].path;
  std::vector<std::string> bases;  // folders the dotted name is relative to
  if (imp.level > 0) {
    std::string dir(dirname(path));
    for (int i = 1; i < imp.level; ++i) dir = std::string(dirname(dir));
    bases.push_back(dir);
  } else {
    bases.push_back("");                          // the repository root (torch.hub, ModelScope, cwd)
    bases.push_back(std::string(dirname(path)));  // Python 2 implicit relative imports
  }
  for (const auto& base : bases) {
    const std::string mod_path = imp.module.empty() ? base : join_path(base, dots_to_slashes(imp.module));
    // Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
    std::string prefix = base;
    bool found_any = false;
    if (!imp.module.empty()) {
      for (auto part : split(imp.module, '.')) {
        prefix = join_path(prefix, part);
        const int pkg = module_for(prefix);
        if (pkg >= 0) {
          out.push_back({pkg, ""});
          found_any = true;
        }
      }
    } else if (const int pkg = module_for(base); pkg >= 0 && !base.empty()) {
      out.push_back({pkg, ""});
      found_any = true;
    }
    const int target = imp.module.empty() ? module_for(base) : module_for(mod_path);
    if (!imp.name.empty() && imp.name != "*") {
      const int sub = module_for(join_path(mod_path, imp.name));
      if (sub >= 0) {
        out.push_back({sub, ""});
        found_any = true;
      } else if (target >= 0) {
        out.push_back({target, imp.name});
      }
    } else if (imp.name == "*" && target >= 0) {
      out.push_back({target, "*"});
    }
    if (found_any || target >= 0) return out;
    out.clear();
  }
  third_party = imp.level == 0;
  return out;
}

const std::vector<int>& Reachability::defs_named(int m, std::string_view name) const {
  static const std::vector<int> kNone;
  const auto& map = lookup_[static_cast<std::size_t>(m)].defs_by_name;
  auto it = map.find(name);
  return it == map.end() ? kNone : it->second;
}

const std::vector<int>& Reachability::imports_bound(int m, std::string_view name) const {
  static const std::vector<int> kNone;
  const auto& map = lookup_[static_cast<std::size_t>(m)].imports_by_bound;
  auto it = map.find(name);
  return it == map.end() ? kNone : it->second;
}

void Reachability::build_indexes() {
  lookup_.resize(facts_.size());
  for (std::size_t m = 0; m < facts_.size(); ++m) {
    const auto& f = facts_[m];
    auto& l = lookup_[m];
    for (std::size_t d = 0; d < f.defs.size(); ++d) {
      l.defs_by_name[f.defs[d].name].push_back(static_cast<int>(d));
      l.children[f.defs[d].parent].push_back(static_cast<int>(d));
    }
    for (std::size_t i = 0; i < f.imports.size(); ++i) {
      l.imports_by_bound[f.imports[i].bound()].push_back(static_cast<int>(i));
      l.imports_by_scope[f.imports[i].scope].push_back(static_cast<int>(i));
      bool third = false;
      l.bindings.push_back(resolve_import(static_cast<int>(m), f.imports[i], third));
      l.third_party.push_back(third);
    }
  }
  // Class hierarchy inside the repository, and every method by name.
  for (std::size_t m = 0; m < facts_.size(); ++m) {
    const auto& f = facts_[m];
    for (std::size_t d = 0; d < f.defs.size(); ++d) {
      const auto& def = f.defs[d];
      if (!def.is_class && def.parent >= 0 && f.defs[static_cast<std::size_t>(def.parent)].is_class) {
        methods_by_name_[def.name].push_back({static_cast<int>(m), static_cast<int>(d)});
      }
      if (!def.is_class) continue;
      for (const auto& base : def.bases) {
        const std::string_view root = first_component(base);
        const std::string_view leaf = last_component(base);
        std::vector<Node> found;
        for (std::size_t k = 0; k < f.defs.size(); ++k) {  // same module
          if (f.defs[k].is_class && f.defs[k].parent == -1 && f.defs[k].name == leaf && k != d) found.push_back({static_cast<int>(m), static_cast<int>(k)});
        }
        for (int i : imports_bound(static_cast<int>(m), root)) {  // imported from another repository module
          for (const auto& b : lookup_[m].bindings[static_cast<std::size_t>(i)]) {
            const std::string wanted = b.symbol.empty() ? std::string(leaf) : b.symbol;
            const auto& tf = facts_[static_cast<std::size_t>(b.module)];
            for (std::size_t k = 0; k < tf.defs.size(); ++k) {
              if (tf.defs[k].is_class && tf.defs[k].parent == -1 && tf.defs[k].name == wanted) found.push_back({b.module, static_cast<int>(k)});
            }
          }
        }
        for (const Node& b : found) {
          bases_[{static_cast<int>(m), static_cast<int>(d)}].push_back(b);
          subclasses_[b].push_back({static_cast<int>(m), static_cast<int>(d)});
        }
      }
    }
  }
}

std::string Reachability::node_label(Node n) const {
  const auto& f = facts_[static_cast<std::size_t>(n.first)];
  return f.path + ":" + (n.second < 0 ? "<module>" : f.defs[static_cast<std::size_t>(n.second)].qualname);
}

namespace {
// While resolve() runs on a thread, reach() collects targets here instead of marking them; per
// thread, so that the behaviour stage can resolve call sites on several threads at once.
thread_local std::vector<std::pair<int, int>>* t_collect = nullptr;
}  // namespace

void Reachability::reach(Node n, Node from, std::string root_label) {
  if (t_collect != nullptr) {
    t_collect->push_back(n);
    return;
  }
  if (n.second < 0) {
    if (executed_[static_cast<std::size_t>(n.first)]) return;
    executed_[static_cast<std::size_t>(n.first)] = 1;
  } else {
    auto& r = reached_[static_cast<std::size_t>(n.first)][static_cast<std::size_t>(n.second)];
    if (r) return;
    r = 1;
  }
  pred_[n] = {root_label.empty() ? from : n, root_label};
  work_.push_back(n);
}

void Reachability::execute_module(int m, Node from) { reach({m, -1}, from); }

int Reachability::enclosing_class(int m, int def) const {
  const auto& f = facts_[static_cast<std::size_t>(m)];
  for (int d = def; d >= 0; d = f.defs[static_cast<std::size_t>(d)].parent) {
    if (f.defs[static_cast<std::size_t>(d)].is_class) return d;
  }
  return -1;
}

void Reachability::reach_methods(int m, int cls, std::string_view name, Node from, bool up, bool down) {
  std::set<Node> seen;
  std::vector<Node> todo{{m, cls}};
  while (!todo.empty()) {
    const Node c = todo.back();
    todo.pop_back();
    if (!seen.insert(c).second) continue;
    const auto& f = facts_[static_cast<std::size_t>(c.first)];
    for (int d : defs_named(c.first, name)) {
      if (f.defs[static_cast<std::size_t>(d)].parent == c.second && !f.defs[static_cast<std::size_t>(d)].is_class) reach({c.first, d}, from);
    }
    if (up) if (auto it = bases_.find(c); it != bases_.end()) todo.insert(todo.end(), it->second.begin(), it->second.end());
    if (down) if (auto it = subclasses_.find(c); it != subclasses_.end()) todo.insert(todo.end(), it->second.begin(), it->second.end());
  }
}

void Reachability::reach_class(int m, int cls, Node from, bool protocol) {
  if (protocol) {
    for (auto name : kLoaderProtocol) reach_methods(m, cls, name, from, true, false);
  } else {
    for (auto name : kInstantiation) reach_methods(m, cls, name, from, true, false);
  }
}

// A module-level name of module m (a def, or a name imported into it).
void Reachability::reach_symbol(int m, std::string_view name, Node from, bool protocol) {
  const auto& f = facts_[static_cast<std::size_t>(m)];
  for (int d : defs_named(m, name)) {
    const auto& def = f.defs[static_cast<std::size_t>(d)];
    if (def.parent != -1) continue;
    if (def.is_class) reach_class(m, d, from, protocol);
    else reach({m, d}, from);
    return;
  }
  const auto& l = lookup_[static_cast<std::size_t>(m)];
  for (int i : imports_bound(m, name)) {  // re-exported: `from .impl import Model`
    if (f.imports[static_cast<std::size_t>(i)].scope != -1) continue;
    for (const auto& b : l.bindings[static_cast<std::size_t>(i)]) {
      if (!b.symbol.empty() && b.symbol != "*" && b.module != m) reach_symbol(b.module, b.symbol, from, protocol);
    }
  }
}

void Reachability::resolve_ref(int m, int scope, std::string_view ref, Node from) {
  const auto& f = facts_[static_cast<std::size_t>(m)];
  const auto& l = lookup_[static_cast<std::size_t>(m)];
  if (ref.empty()) return;
  if (ref.front() == '.') {  // unknown receiver: every repository method of that name
    if (auto it = methods_by_name_.find(ref.substr(1)); it != methods_by_name_.end()) {
      for (const Node& n : it->second) reach(n, from);
    }
    return;
  }
  const auto dot = ref.find('.');
  if (dot == std::string::npos) {
    // Innermost binding first: defs nested in the enclosing functions, then the module.
    const auto& named = defs_named(m, ref);
    const auto& bound = imports_bound(m, ref);
    for (int s = scope;; s = f.defs[static_cast<std::size_t>(s)].parent) {
      for (int d : named) {
        const auto& def = f.defs[static_cast<std::size_t>(d)];
        if (def.parent != s) continue;
        if (def.is_class) reach_class(m, d, from, false);
        else reach({m, d}, from);
        return;
      }
      for (int i : bound) {
        const auto& imp = f.imports[static_cast<std::size_t>(i)];
        if (imp.scope != s || imp.name.empty() || imp.name == "*") continue;
        for (const auto& b : l.bindings[static_cast<std::size_t>(i)]) {
          if (!b.symbol.empty()) reach_symbol(b.module, b.symbol, from, false);
        }
        return;
      }
      if (s < 0) break;
    }
    return;
  }
  const std::string_view root = ref.substr(0, dot);
  const std::string_view leaf = last_component(ref);
  if (root == "self" || root == "cls" || root == "super") {
    const int cls = enclosing_class(m, scope);
    if (cls < 0) return;
    if (root == "super") {
      if (auto it = bases_.find({m, cls}); it != bases_.end()) {
        for (const Node& b : it->second) reach_methods(b.first, b.second, leaf, from, true, false);
      }
    } else {
      reach_methods(m, cls, leaf, from, true, true);  // overrides in subclasses may be what runs
    }
    return;
  }
  // A repository module bound to `root` (import x as root, from . import root), or a class.
  for (int i : imports_bound(m, root)) {
    for (const auto& b : l.bindings[static_cast<std::size_t>(i)]) {
      if (b.symbol.empty()) {
        // root.leaf: the module's def, or with a longer chain the last name as a method.
        if (ref.find('.', dot + 1) == std::string::npos) reach_symbol(b.module, leaf, from, false);
        else resolve_ref(m, scope, "." + std::string(leaf), from);
      } else if (b.symbol != "*") {
        const auto& tf = facts_[static_cast<std::size_t>(b.module)];
        for (int d : defs_named(b.module, b.symbol)) {
          if (tf.defs[static_cast<std::size_t>(d)].is_class && tf.defs[static_cast<std::size_t>(d)].parent == -1) reach_methods(b.module, d, leaf, from, true, true);
        }
      }
    }
  }
  for (int d : defs_named(m, root)) {
    if (f.defs[static_cast<std::size_t>(d)].is_class && f.defs[static_cast<std::size_t>(d)].parent == -1) reach_methods(m, d, leaf, from, true, true);
  }
  // Some other object: any repository method of that name may be what runs.
  if (auto it = methods_by_name_.find(leaf); it != methods_by_name_.end()) {
    for (const Node& n : it->second) reach(n, from);
  }
}

void Reachability::process_scope(int m, int def) {
  const auto& f = facts_[static_cast<std::size_t>(m)];
  const auto& l = lookup_[static_cast<std::size_t>(m)];
  const Node here{m, def};
  // Imports executed by this scope.
  if (auto it = l.imports_by_scope.find(def); it != l.imports_by_scope.end()) {
    for (int i : it->second) {
      const auto& imp = f.imports[static_cast<std::size_t>(i)];
      for (const auto& b : l.bindings[static_cast<std::size_t>(i)]) execute_module(b.module, here);
      if (l.third_party[static_cast<std::size_t>(i)] && !imp.in_try && !imp.module.empty()) {
        const std::string top(first_component(imp.module));
        if (!is_stdlib_module(top) && std::find(required_.begin(), required_.end(), top) == required_.end()) required_.push_back(top);
      }
    }
  }
  const auto& refs = def < 0 ? f.module_refs : f.defs[static_cast<std::size_t>(def)].refs;
  for (const auto& r : refs) resolve_ref(m, def, r, here);
  // Defining a class runs its repository bases' __init_subclass__.
  if (def >= 0 && f.defs[static_cast<std::size_t>(def)].is_class) {
    if (auto it = bases_.find(here); it != bases_.end()) {
      for (const Node& b : it->second) reach_methods(b.first, b.second, "__init_subclass__", here, true, false);
    }
  }
  // Class bodies run with their enclosing scope.
  if (auto it = l.children.find(def); it != l.children.end()) {
    for (int d : it->second) {
      if (f.defs[static_cast<std::size_t>(d)].is_class) process_scope(m, d);
    }
  }
  // Only code that runs can compute what else runs.
  for (int s : f.dynamic_dispatch_scopes) dynamic_dispatch_ = dynamic_dispatch_ || s == def;
  for (const auto& ci : f.computed_imports) {
    if (ci.scope != def) continue;
    if (ci.prefix.empty() || ci.prefix == ".") {
      any_import_ = true;
      continue;
    }
    // As a folder path: "fairseq.models." -> "fairseq/models/"; relative ones from this file's folder.
    std::string p = ci.prefix;
    std::size_t dots = 0;
    while (dots < p.size() && p[dots] == '.') ++dots;
    std::replace(p.begin(), p.end(), '.', '/');
    if (dots > 0) {
      std::string dir = f.path.substr(0, f.path.find_last_of('/') == std::string::npos ? 0 : f.path.find_last_of('/') + 1);
      for (std::size_t up = 1; up < dots && !dir.empty(); ++up) {
        dir.pop_back();
        dir = dir.substr(0, dir.find_last_of('/') == std::string::npos ? 0 : dir.find_last_of('/') + 1);
      }
      import_prefixes_.push_back("/" + dir + p.substr(dots));
    } else {
      import_prefixes_.push_back(p);
    }
  }
}

void Reachability::run(const LoadPlan& plan) {
  std::set<std::string> seeded;
  auto seed = [&](const std::string& file, const std::string& symbol, const std::string& label, bool modelscope) {
    auto it = modules_.find(file);
    if (it == modules_.end()) return;
    const int m = it->second;
    reach({m, -1}, {m, -1}, label);
    if (!symbol.empty()) reach_symbol(m, symbol, {m, -1}, true);
    if (modelscope) {  // registered by decorator, instantiated by configuration "type"
      const auto& f = facts_[static_cast<std::size_t>(m)];
      for (std::size_t d = 0; d < f.defs.size(); ++d) {
        if (f.defs[d].is_class && f.defs[d].decorated && f.defs[d].parent == -1) reach_class(m, static_cast<int>(d), {m, -1}, true);
      }
    }
    seeded.insert(file);
  };
  for (const auto& e : plan.entry_points) seed(e.file, e.symbol, e.trigger, false);
  for (const auto& t : plan.triggers) {
    if (t.loader == "modelscope") seed(t.module, "", t.file + ":" + t.key, true);
  }
  for (const auto& file : plan.module_files) {
    if (!seeded.count(file)) seed(file, "", file, false);
  }
  while (!work_.empty()) {
    const Node n = work_.back();
    work_.pop_back();
    process_scope(n.first, n.second);
  }
  std::sort(required_.begin(), required_.end());
}

std::vector<std::string> Reachability::executed_modules() const {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < facts_.size(); ++i) {
    if (executed_[i]) out.push_back(facts_[i].path);
  }
  return out;
}

// Whether a computed import the load runs could name this file: any, when one is computed
// whole; else those under a constant prefix ("/dir/..." anchors a relative one at the root).
bool Reachability::may_import_computed(const std::string& file) const {
  if (any_import_) return true;
  for (const auto& p : import_prefixes_) {
    if (p.front() == '/') {
      if (file.compare(0, p.size() - 1, p, 1) == 0) return true;
      continue;
    }
    for (std::size_t at = 0; at != std::string::npos; at = file.find('/', at), at = at == std::string::npos ? at : at + 1) {
      if (file.compare(at, p.size(), p) == 0) return true;
    }
  }
  return false;
}

Reach Reachability::classify(const std::string& file, std::uint32_t line, std::vector<std::string>* path) const {
  auto it = modules_.find(file);
  if (it == modules_.end()) return Reach::unknown;
  const Reach r = classify(it->second, line);
  if (r != Reach::yes || path == nullptr) return r;
  const auto& f = facts_[static_cast<std::size_t>(it->second)];
  int fn = f.innermost_def(line);
  while (fn >= 0 && f.defs[static_cast<std::size_t>(fn)].is_class) fn = f.defs[static_cast<std::size_t>(fn)].parent;
  Node n{it->second, fn};
  std::vector<std::string> rev;
  for (int guard = 0; guard < 10000; ++guard) {
    auto p = pred_.find(n);
    if (p == pred_.end()) break;
    rev.push_back(node_label(n));
    if (!p->second.second.empty()) {
      rev.push_back(p->second.second);
      break;
    }
    n = p->second.first;
  }
  path->assign(rev.rbegin(), rev.rend());
  return r;
}

Reach Reachability::classify(int m, std::uint32_t line) const {
  if (m < 0 || static_cast<std::size_t>(m) >= facts_.size()) return Reach::unknown;
  const auto& f = facts_[static_cast<std::size_t>(m)];
  if (!f.parsed) return Reach::unknown;
  for (const auto& g : f.main_guards) {
    if (g.contains(line)) return Reach::no;
  }
  if (!executed_[static_cast<std::size_t>(m)]) return may_import_computed(f.path) ? Reach::unknown : Reach::no;
  // The innermost function around the line decides; class bodies run with their parent.
  int fn = f.innermost_def(line);
  while (fn >= 0 && f.defs[static_cast<std::size_t>(fn)].is_class) fn = f.defs[static_cast<std::size_t>(fn)].parent;
  if (fn >= 0 && !reached_[static_cast<std::size_t>(m)][static_cast<std::size_t>(fn)]) {
    return dynamic_dispatch_ ? Reach::unknown : Reach::no;
  }
  return Reach::yes;
}

int Reachability::module_index(std::string_view file) const {
  auto it = modules_.find(file);
  return it == modules_.end() ? -1 : it->second;
}

int Reachability::def_index(int m, std::uint32_t body_first_line, std::string_view name) const {
  if (m < 0 || static_cast<std::size_t>(m) >= facts_.size()) return -1;
  const auto& f = facts_[static_cast<std::size_t>(m)];
  for (int d : defs_named(m, name)) {
    if (f.defs[static_cast<std::size_t>(d)].body.first == body_first_line) return d;
  }
  return -1;
}

std::vector<std::pair<int, int>> Reachability::resolve(int m, int def, std::string_view ref) const {
  if (m < 0 || static_cast<std::size_t>(m) >= facts_.size()) return {};
  std::vector<Node> got;
  // resolve_ref's helpers report what they reach through reach(); collect instead of marking.
  // In collect mode reach() touches nothing but t_collect: the const_cast writes no state.
  auto* self = const_cast<Reachability*>(this);
  t_collect = &got;
  self->resolve_ref(m, def, ref, {m, def});
  t_collect = nullptr;
  std::erase_if(got, [](const Node& n) { return n.second < 0; });
  std::sort(got.begin(), got.end());
  got.erase(std::unique(got.begin(), got.end()), got.end());
  return got;
}

}  // namespace mg::py
