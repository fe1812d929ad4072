#include "python/module_facts.hpp"

#include <algorithm>
#include <unordered_map>

namespace mg::py {

std::string ImportFact::bound() const {
  if (!alias.empty()) return alias;
  if (!name.empty()) return name == "*" ? std::string() : name;
  const auto dot = module.find('.');
  return dot == std::string::npos ? module : module.substr(0, dot);
}

int ModuleFacts::innermost_def(std::uint32_t line) const {
  int best = -1;
  for (std::size_t i = 0; i < defs.size(); ++i) {
    if (!defs[i].body.contains(line)) continue;
    if (best < 0 || defs[i].body.first >= defs[static_cast<std::size_t>(best)].body.first) best = static_cast<int>(i);
  }
  return best;
}

namespace {

constexpr int kMaxChain = 64;

LineRange lines_of(TSNode n) { return {ts_node_start_point(n).row + 1, ts_node_end_point(n).row + 1}; }

// "a.b.c" for a chain of names, "super.m" for super().m, ".m" for any other receiver.
std::string chain_text(const Tree& tree, TSNode attr) {
  std::vector<std::string_view> parts;
  TSNode n = attr;
  for (int i = 0; i < kMaxChain && is(n, "attribute"); ++i) {
    parts.push_back(tree.text(field(n, "attribute")));
    n = field(n, "object");
  }
  std::string out;
  if (is(n, "identifier")) out = std::string(tree.text(n));
  else if (is(n, "call") && tree.text(field(n, "function")) == "super") out = "super";
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    out += '.';
    out.append(*it);
  }
  return out;
}

bool is_main_guard(const Tree& tree, TSNode if_stmt) {
  TSNode cond = field(if_stmt, "condition");
  if (!is(cond, "comparison_operator")) return false;
  const std::string_view t = tree.text(cond);
  return t.find("__name__") != std::string_view::npos && t.find("__main__") != std::string_view::npos && t.find("==") != std::string_view::npos;
}

class Extractor {
 public:
  Extractor(const Tree& tree, std::string_view path) : tree_(tree) { facts_.path = std::string(path); }

  ModuleFacts run() {
    walk(tree_.root());
    return std::move(facts_);
  }

 private:
  struct Frame {
    TSNode node;
    int def;        // def whose body this is, -1 = module
    bool in_try;
  };

  // Iterative pre-order walk; each child is visited with the scope it belongs to.
  void walk(TSNode root) {
    std::vector<Frame> stack{{root, -1, false}};
    std::size_t visited = 0;
    while (!stack.empty()) {
      const Frame f = stack.back();
      stack.pop_back();
      if (++visited > 20'000'000) break;
      if (is(f.node, "ERROR") || ts_node_is_missing(f.node)) continue;
      int scope = f.def;
      bool in_try = f.in_try;
      if (!visit(f.node, scope, in_try)) continue;
      const bool def = is(f.node, "function_definition") || is(f.node, "class_definition");
      const std::uint32_t count = ts_node_named_child_count(f.node);
      for (std::uint32_t i = count; i-- > 0;) {
        TSNode child = ts_node_named_child(f.node, i);
        if (!references_something(f.node, child)) continue;
        int child_scope = scope;
        // The body block of a def belongs to the def; decorators, defaults and bases to the parent.
        if (def && is(child, "block")) {
          if (auto it = def_for_node_.find(ts_node_start_byte(f.node)); it != def_for_node_.end()) child_scope = it->second;
        }
        stack.push_back({child, child_scope, in_try || is(f.node, "try_statement")});
      }
    }
  }

  // Names that bind rather than reference: a def's own name, parameter names, keyword names.
  static bool references_something(TSNode parent, TSNode child) {
    if ((is(parent, "function_definition") || is(parent, "class_definition") || is(parent, "keyword_argument")) &&
        ts_node_eq(child, field(parent, "name"))) {
      return false;
    }
    if (is(parent, "parameters") && is(child, "identifier")) return false;
    if ((is(parent, "default_parameter") || is(parent, "typed_default_parameter")) && ts_node_eq(child, field(parent, "name"))) return false;
    return true;
  }

  // Returns false to skip the node's children.
  bool visit(TSNode n, int scope, bool in_try) {
    const std::string_view type = ts_node_type(n);
    if (type == "function_definition" || type == "class_definition") {
      DefFact d;
      d.name = std::string(tree_.text(field(n, "name")));
      d.is_class = type == "class_definition";
      d.parent = scope;
      d.qualname = scope >= 0 ? facts_.defs[static_cast<std::size_t>(scope)].qualname + "." + d.name : d.name;
      TSNode body = field(n, "body");
      if (!ts_node_is_null(body)) d.body = lines_of(body);
      d.decorated = is(ts_node_parent(n), "decorated_definition");
      if (d.is_class) {
        TSNode supers = field(n, "superclasses");
        if (!ts_node_is_null(supers)) {
          for (TSNode b : named_children(supers)) {
            if (is(b, "identifier") || is(b, "attribute")) d.bases.emplace_back(tree_.text(b));
          }
        }
      }
      def_for_node_[ts_node_start_byte(n)] = static_cast<int>(facts_.defs.size());
      facts_.defs.push_back(std::move(d));
      return true;
    }
    if (type == "if_statement" && scope < 0 && is_main_guard(tree_, n)) {
      facts_.main_guards.push_back(lines_of(n));
      return false;  // never runs on import
    }
    if (type == "import_statement") {
      for (TSNode c : named_children(n)) {
        ImportFact imp{{}, {}, {}, 0, scope, ts_node_start_point(n).row + 1, in_try};
        if (is(c, "dotted_name")) imp.module = std::string(tree_.text(c));
        else if (is(c, "aliased_import")) {
          imp.module = std::string(tree_.text(field(c, "name")));
          imp.alias = std::string(tree_.text(field(c, "alias")));
        } else continue;
        facts_.imports.push_back(std::move(imp));
      }
      return false;
    }
    if (type == "import_from_statement") {
      TSNode mod = field(n, "module_name");
      std::string module;
      int level = 0;
      if (is(mod, "relative_import")) {
        for (TSNode c : named_children(mod)) {
          if (is(c, "import_prefix")) level = static_cast<int>(tree_.text(c).size());
          else if (is(c, "dotted_name")) module = std::string(tree_.text(c));
        }
      } else {
        module = std::string(tree_.text(mod));
      }
      bool any = false;
      for (TSNode c : named_children(n)) {
        if (ts_node_eq(c, mod)) continue;
        ImportFact imp{module, {}, {}, level, scope, ts_node_start_point(n).row + 1, in_try};
        if (is(c, "dotted_name")) imp.name = std::string(tree_.text(c));
        else if (is(c, "aliased_import")) {
          imp.name = std::string(tree_.text(field(c, "name")));
          imp.alias = std::string(tree_.text(field(c, "alias")));
        } else if (is(c, "wildcard_import")) imp.name = "*";
        else continue;
        facts_.imports.push_back(std::move(imp));
        any = true;
      }
      if (!any) facts_.imports.push_back({module, "*", {}, level, scope, ts_node_start_point(n).row + 1, in_try});
      return false;
    }
    if (type == "call") {
      const std::string_view fn = tree_.text(field(n, "function"));
      TSNode args = field(n, "arguments");
      TSNode first = ts_node_is_null(args) || ts_node_named_child_count(args) == 0 ? TSNode{} : ts_node_named_child(args, 0);
      if (fn == "importlib.import_module" || fn == "import_module" || fn == "__import__") {
        auto lit = ts_node_is_null(first) ? std::nullopt : string_value(tree_, first);
        if (lit) facts_.imports.push_back({*lit, {}, {}, 0, scope, ts_node_start_point(n).row + 1, in_try});
        else facts_.computed_import = true;
      } else if (fn == "getattr") {
        TSNode second = ts_node_named_child_count(args) > 1 ? ts_node_named_child(args, 1) : TSNode{};
        if (ts_node_is_null(second) || !string_value(tree_, second)) facts_.dynamic_dispatch = true;
      } else if (fn == "exec" || fn == "eval" || fn == "globals" || fn == "locals" || fn == "vars") {
        facts_.dynamic_dispatch = true;
      }
      return true;
    }
    if (type == "attribute") {
      add_ref(scope, chain_text(tree_, n));
      return true;
    }
    if (type == "identifier") {
      add_ref(scope, std::string(tree_.text(n)));
      return false;
    }
    return true;
  }

  void add_ref(int scope, std::string ref) {
    if (ref.empty()) return;
    auto& refs = scope >= 0 ? facts_.defs[static_cast<std::size_t>(scope)].refs : facts_.module_refs;
    refs.push_back(std::move(ref));
  }

  const Tree& tree_;
  ModuleFacts facts_;
  std::unordered_map<std::uint32_t, int> def_for_node_;  // def node start byte -> index
};

}  // namespace

ModuleFacts extract_module_facts(const Tree& tree, std::string_view path) {
  ModuleFacts facts = Extractor(tree, path).run();
  // Class bodies run with their parent: their references belong to the enclosing function, or to
  // the module for classes defined at module level.
  for (auto& d : facts.defs) {
    std::sort(d.refs.begin(), d.refs.end());
    d.refs.erase(std::unique(d.refs.begin(), d.refs.end()), d.refs.end());
  }
  std::sort(facts.module_refs.begin(), facts.module_refs.end());
  facts.module_refs.erase(std::unique(facts.module_refs.begin(), facts.module_refs.end()), facts.module_refs.end());
  return facts;
}

ModuleFacts read_module_facts(Parser& parser, std::string_view source, std::string_view path) {
  Tree tree = parser.parse(source);
  if (!tree) {
    ModuleFacts f;
    f.path = std::string(path);
    f.parsed = false;
    return f;
  }
  return extract_module_facts(tree, path);
}

}  // namespace mg::py
