#include "python/module_facts.hpp"

#include "python/module_index.hpp"

#include <algorithm>
#include <deque>

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

// Node kinds the extractor cares about.
enum class Kind : unsigned char {
  other, function_definition, class_definition, identifier, attribute, call, import_statement,
  import_from_statement, if_statement, try_statement, parameters, default_parameter, keyword_argument,
  decorated_definition,
};

Kind kind_of(std::uint16_t type) {
  switch (type) {
    case type_id("function_definition"): return Kind::function_definition;
    case type_id("class_definition"): return Kind::class_definition;
    case type_id("identifier"): return Kind::identifier;
    case type_id("attribute"): return Kind::attribute;
    case type_id("call"): return Kind::call;
    case type_id("import_statement"): return Kind::import_statement;
    case type_id("import_from_statement"): return Kind::import_from_statement;
    case type_id("if_statement"): return Kind::if_statement;
    case type_id("try_statement"): return Kind::try_statement;
    case type_id("parameters"):
    case type_id("lambda_parameters"): return Kind::parameters;
    case type_id("default_parameter"):
    case type_id("typed_default_parameter"): return Kind::default_parameter;
    case type_id("keyword_argument"): return Kind::keyword_argument;
    case type_id("decorated_definition"): return Kind::decorated_definition;
    default: return Kind::other;
  }
}

}  // namespace

// Driven by a walk's enter/leave (see module_facts.hpp): a frame per open named node.
class FactsCollector::Impl {
 public:
  Impl(const Tree& tree, std::string_view path) : tree_(tree) {
    facts_.path = std::string(path);
    frames_.push_back(Frame{});
  }

  void enter(TSNode n, std::uint16_t type) {
    Frame& parent = frames_.back();
    const std::uint32_t index = parent.children++;
    Frame f;
    f.kind = kind_of(type);
    f.scope = parent.scope;
    f.in_try = parent.in_try || parent.kind == Kind::try_statement;
    // Error-recovery subtrees are not analysed (a walk may still enter them).
    f.skip = parent.skip || type == type_id("ERROR") || ts_node_is_missing(n);
    if (!f.skip) {
      // The body block of a def belongs to the def; decorators, defaults and bases to the parent.
      if (parent.def >= 0 && type == type_id("block")) f.scope = parent.def;
      handle(n, parent, index, f);
    }
    frames_.push_back(f);
  }

  void leave() {
    if (frames_.size() > 1) frames_.pop_back();
  }

 private:
  struct Frame {
    Kind kind = Kind::other;
    int scope = -1;  // scope of the node's children
    int def = -1;    // for a def: its index (its body gets this scope)
    bool in_try = false;
    bool skip = false;  // inside a subtree whose content does not run on import, or already read
    std::uint32_t children = 0;
  };

  void handle(TSNode n, const Frame& parent, std::uint32_t index, Frame& f) {
    if (f.kind == Kind::identifier) {
      // Names that bind rather than reference: a def's own name, parameters, keyword names, and
      // the attribute part of `a.b` (the whole chain is recorded at the attribute node).
      const bool binds = (index == 0 && (parent.kind == Kind::function_definition || parent.kind == Kind::class_definition ||
                                         parent.kind == Kind::keyword_argument || parent.kind == Kind::default_parameter)) ||
                         parent.kind == Kind::parameters || (index > 0 && parent.kind == Kind::attribute);
      if (!binds) add_ref(f.scope, tree_.text(n));
      return;
    }
    switch (f.kind) {
      case Kind::function_definition:
      case Kind::class_definition:
        f.def = add_def(n, f.kind == Kind::class_definition, f.scope, parent.kind == Kind::decorated_definition);
        return;
      case Kind::if_statement:
        if (f.scope < 0 && frames_.size() == 2 && is_main_guard(tree_, n)) {  // a module-level statement
          facts_.main_guards.push_back(lines_of(n));
          f.skip = true;  // never runs on import
        }
        return;
      case Kind::import_statement:
        add_import(n, f.scope, f.in_try);
        f.skip = true;
        return;
      case Kind::import_from_statement:
        add_import_from(n, f.scope, f.in_try);
        f.skip = true;
        return;
      case Kind::call:
        on_call(n, f.scope, f.in_try);
        return;
      case Kind::attribute: {
        // `a.b.c` is recorded once, at its outermost attribute node.
        if (parent.kind == Kind::attribute && index == 0) return;
        const std::string_view text = tree_.text(n);
        const bool plain = std::all_of(text.begin(), text.end(), [](char ch) {
          return ch == '.' || ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        });
        if (plain) add_ref(f.scope, text);
        else add_ref(f.scope, chain_text(tree_, n));
        return;
      }
      default:
        return;
    }
  }

  int add_def(TSNode n, bool is_class, int scope, bool decorated) {
    DefFact d;
    d.name = std::string(tree_.text(field(n, "name")));
    d.is_class = is_class;
    d.parent = scope;
    d.qualname = scope >= 0 ? facts_.defs[static_cast<std::size_t>(scope)].qualname + "." + d.name : d.name;
    TSNode body = field(n, "body");
    if (!ts_node_is_null(body)) d.body = lines_of(body);
    d.decorated = decorated;  // the walk knows the parent; ts_node_parent would search from the root
    if (is_class) {
      TSNode supers = field(n, "superclasses");
      if (!ts_node_is_null(supers)) {
        for (TSNode b : named_children(supers)) {
          if (is(b, "identifier") || is(b, "attribute")) d.bases.emplace_back(tree_.text(b));
        }
      }
    }
    facts_.defs.push_back(std::move(d));
    def_refs_.emplace_back();
    return static_cast<int>(facts_.defs.size() - 1);
  }

  void add_import(TSNode n, int scope, bool in_try) {
    for (TSNode c : named_children(n)) {
      ImportFact imp{{}, {}, {}, 0, scope, ts_node_start_point(n).row + 1, in_try};
      if (is(c, "dotted_name")) imp.module = std::string(tree_.text(c));
      else if (is(c, "aliased_import")) {
        imp.module = std::string(tree_.text(field(c, "name")));
        imp.alias = std::string(tree_.text(field(c, "alias")));
      } else continue;
      facts_.imports.push_back(std::move(imp));
    }
  }

  void add_import_from(TSNode n, int scope, bool in_try) {
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
  }

  void on_call(TSNode n, int scope, bool in_try) {
    const std::string_view fn = tree_.text(field(n, "function"));
    if (fn != "importlib.import_module" && fn != "import_module" && fn != "__import__" && fn != "getattr" && fn != "exec" &&
        fn != "eval" && fn != "globals" && fn != "locals" && fn != "vars") {
      return;
    }
    TSNode args = field(n, "arguments");
    const std::uint32_t nargs = ts_node_is_null(args) ? 0 : ts_node_named_child_count(args);
    if (fn == "getattr") {
      if (nargs < 2 || !string_value(tree_, ts_node_named_child(args, 1))) facts_.dynamic_dispatch_scopes.push_back(scope);
    } else if (fn == "exec" || fn == "eval" || fn == "globals" || fn == "locals" || fn == "vars") {
      facts_.dynamic_dispatch_scopes.push_back(scope);
    } else {
      TSNode name = nargs == 0 ? TSNode{} : ts_node_named_child(args, 0);
      auto lit = nargs == 0 ? std::nullopt : string_value(tree_, name);
      if (lit) facts_.imports.push_back({*lit, {}, {}, 0, scope, ts_node_start_point(n).row + 1, in_try});
      else facts_.computed_imports.push_back({scope, nargs == 0 ? std::string() : constant_prefix(name)});
    }
  }

  // The constant start of a computed module name: "a.b." + x, f"a.b.{x}", "a.%s" % x.
  std::string constant_prefix(TSNode n) const {
    for (int depth = 0; depth < 8 && !ts_node_is_null(n); ++depth) {
      if (is(n, "binary_operator")) {
        const std::string_view op = tree_.text(field(n, "operator"));
        if (op != "+" && op != "%") return {};
        n = field(n, "left");
        continue;
      }
      if (!is(n, "string")) return {};
      // The literal text up to the first interpolation, format directive or quote.
      const std::string_view raw = tree_.text(n);
      std::size_t q = raw.find_first_of("'\"");
      if (q == std::string_view::npos) return {};
      std::string out;
      for (std::size_t i = q + 1; i < raw.size(); ++i) {
        const char c = raw[i];
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
        if (!ok) break;
        out += c;
      }
      return out;
    }
    return {};
  }

  // References are kept as views (into the source, or into owned_ for rebuilt chains) and made
  // unique once per scope at the end: cheaper than a hash set probe per identifier.
  void add_ref(int scope, std::string_view ref) {
    if (ref.empty()) return;
    if (scope >= 0) def_refs_[static_cast<std::size_t>(scope)].push_back(ref);
    else module_refs_.push_back(ref);
  }
  void add_ref(int scope, std::string ref) {
    if (ref.empty()) return;
    owned_.push_back(std::move(ref));
    add_ref(scope, std::string_view(owned_.back()));
  }

 public:
  ModuleFacts take() {
    // References repeat (`self`, `len`...): drop duplicates through a hash table first, so only
    // the distinct names are sorted.
    std::vector<std::string_view> table;
    auto finish = [&](std::vector<std::string_view>& views, std::vector<std::string>& out) {
      if (views.size() > 8) {
        std::size_t cap = 16;
        while (cap < views.size() * 2) cap *= 2;
        table.assign(cap, std::string_view());
        std::size_t kept = 0;
        for (const std::string_view v : views) {
          std::size_t h = std::hash<std::string_view>{}(v) & (cap - 1);
          while (table[h].data() != nullptr && table[h] != v) h = (h + 1) & (cap - 1);
          if (table[h].data() != nullptr) continue;  // seen
          table[h] = v;
          views[kept++] = v;
        }
        views.resize(kept);
      }
      std::sort(views.begin(), views.end());
      views.erase(std::unique(views.begin(), views.end()), views.end());
      out.assign(views.begin(), views.end());
    };
    for (std::size_t d = 0; d < facts_.defs.size(); ++d) finish(def_refs_[d], facts_.defs[d].refs);
    finish(module_refs_, facts_.module_refs);
    return std::move(facts_);
  }

 private:
  const Tree& tree_;
  ModuleFacts facts_;
  std::vector<Frame> frames_;
  std::vector<std::vector<std::string_view>> def_refs_;  // per def
  std::vector<std::string_view> module_refs_;
  std::deque<std::string> owned_;  // rebuilt chains ("super.m", ".m") the views point into
};

FactsCollector::FactsCollector(const Tree& tree, std::string_view path) : impl_(std::make_unique<Impl>(tree, path)) {}
FactsCollector::~FactsCollector() = default;
void FactsCollector::enter(TSNode n, std::uint16_t type) { impl_->enter(n, type); }
void FactsCollector::leave() { impl_->leave(); }

ModuleFacts FactsCollector::take() { return impl_->take(); }

ModuleFacts extract_module_facts(const Tree& tree, std::string_view path) {
  FactsCollector collector(tree, path);
  walk_tree(
      tree.root(),
      [&](TSNode n) {
        collector.enter(n);
        return true;
      },
      [&](TSNode) { collector.leave(); });
  return collector.take();
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
