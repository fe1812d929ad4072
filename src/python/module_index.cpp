#include "python/module_index.hpp"

namespace mg::py {

namespace {

constexpr int kMaxChain = 256;  // attribute chains / concatenations deeper than this are not resolved

TSNode unparen(TSNode n) {
  for (int i = 0; i < kMaxChain && is(n, "parenthesized_expression") && ts_node_named_child_count(n) == 1; ++i) {
    n = ts_node_named_child(n, 0);
  }
  return n;
}

std::string_view root_name(std::string_view qualname) {
  const auto dot = qualname.find('.');
  return dot == std::string_view::npos ? qualname : qualname.substr(0, dot);
}

}  // namespace

Span span_of(TSNode n) {
  Span s;
  s.first_line = ts_node_start_point(n).row + 1;
  s.last_line = ts_node_end_point(n).row + 1;
  s.start_byte = ts_node_start_byte(n);
  s.end_byte = ts_node_end_byte(n);
  return s;
}

std::string ImportRecord::qualified() const {
  if (kind != ImportKind::from || module.empty()) return kind == ImportKind::from ? name : module;
  return module + "." + name;
}

std::string ImportRecord::bound_name() const {
  if (!alias.empty()) return alias;
  if (kind == ImportKind::dynamic) return {};
  if (kind == ImportKind::from) return name == "*" ? std::string() : name;
  return std::string(root_name(module));
}

// ---------------------------------------------------------------------------------------------
// NameTable

std::string NameTable::qualname(const Tree& tree, TSNode expr) const { return qualname_at(tree, expr, 0); }

// Beyond Bandit, a call at the root is resolved when it names its target literally:
// `__import__("os").system`, `importlib.import_module("pickle").loads`, `getattr(pickle, "loads")`.
std::string NameTable::resolve_call_value(const Tree& tree, TSNode call, int depth) const {
  if (depth > 8) return {};
  const std::string callee = callee_at(tree, call, depth + 1);
  if (auto mod = dynamic_import_name(tree, *this, call, callee); mod && !mod->empty()) return *mod;
  if (callee == "getattr") {
    const TSNode args = field(call, "arguments");
    std::vector<TSNode> pos;
    for (TSNode a : named_children(args)) {
      if (!is(a, "comment") && !is(a, "keyword_argument")) pos.push_back(a);
    }
    if (pos.size() == 2) {
      const auto name = literal_string(tree, pos[1]);
      const TSNode target = unparen(pos[0]);
      const std::string obj = is(target, "call") ? resolve_call_value(tree, target, depth + 1) : qualname_at(tree, target, depth + 1);
      if (name && !name->empty() && !obj.empty() && obj[0] != '.') return obj + "." + *name;
    }
  }
  return {};
}

std::string NameTable::qualname_at(const Tree& tree, TSNode expr, int depth) const {
  // Collect the attribute names from the outside in, then resolve the root.
  std::vector<std::string_view> attrs;
  TSNode n = unparen(expr);
  for (int i = 0; i < kMaxChain && is(n, "attribute"); ++i) {
    attrs.push_back(tree.text(field(n, "attribute")));
    n = unparen(field(n, "object"));
  }
  std::string out;
  if (is(n, "identifier")) {
    const std::string_view id = tree.text(n);
    auto it = aliases_.find(id);
    out = it != aliases_.end() ? it->second : std::string(id);
  } else if (is(n, "call") && !attrs.empty()) {
    out = resolve_call_value(tree, n, depth);  // "" (Bandit's ".attr") when not literal
  } else if (attrs.empty()) {
    return {};
  } else if (!is(n, "attribute")) {
    out.clear();  // Bandit: a non-name root contributes "" (".attr")
  } else {
    return {};  // chain too deep
  }
  for (auto it = attrs.rbegin(); it != attrs.rend(); ++it) {
    out += '.';
    out += *it;
  }
  return out;
}

std::string NameTable::call_qualname(const Tree& tree, TSNode call) const { return callee_at(tree, call, 0); }

std::string NameTable::callee_at(const Tree& tree, TSNode call, int depth) const {
  TSNode fn = unparen(field(call, "function"));
  if (is(fn, "call")) return resolve_call_value(tree, fn, depth);  // getattr(pickle, "loads")(data)
  if (!is(fn, "identifier") && !is(fn, "attribute")) return {};
  return qualname_at(tree, fn, depth);
}

std::optional<std::string> NameTable::literal_string(const Tree& tree, TSNode n) const {
  // Iterative over left-nested `a + b + c`; right operands recurse one level at most per step.
  std::vector<TSNode> parts;
  std::vector<TSNode> todo{n};
  while (!todo.empty()) {
    if (parts.size() + todo.size() > static_cast<std::size_t>(kMaxChain)) return std::nullopt;
    TSNode cur = unparen(todo.back());
    todo.pop_back();
    if (is(cur, "binary_operator")) {
      const TSNode op = field(cur, "operator");
      if (ts_node_is_null(op) || tree.text(op) != "+") return std::nullopt;
      todo.push_back(field(cur, "right"));
      todo.push_back(field(cur, "left"));
      continue;
    }
    parts.push_back(cur);
  }
  std::string out;
  for (TSNode p : parts) {
    if (is(p, "identifier")) {
      const std::string id(tree.text(p));
      auto it = constants_.find(id);
      if (it == constants_.end() || reassigned_.count(id) != 0) return std::nullopt;
      out += it->second;
      continue;
    }
    auto v = string_value(tree, p);
    if (!v) return std::nullopt;
    out += *v;
  }
  return out;
}

bool NameTable::imported_like(std::string_view module) const {
  for (const auto& imp : imports_) {
    if (imp.find(module) != std::string::npos) return true;
  }
  return false;
}

void NameTable::add_import(const ImportRecord& rec) {
  switch (rec.kind) {
    case ImportKind::plain:
      imports_.insert(rec.module);
      if (!rec.alias.empty()) {
        aliases_[rec.alias] = rec.module;
        assigned_.erase(rec.alias);
      } else {
        bound_modules_.insert(std::string(root_name(rec.module)));
      }
      break;
    case ImportKind::from: {
      // Bandit ignores the relative level; a bare `from . import x` is treated like `import x`.
      const std::string q = rec.qualified();
      imports_.insert(q);
      if (rec.name == "*") break;
      const std::string bound = rec.alias.empty() ? rec.name : rec.alias;
      if (rec.module.empty()) {
        if (!rec.alias.empty()) aliases_[bound] = rec.name;
        else bound_modules_.insert(bound);
      } else {
        aliases_[bound] = q;
      }
      assigned_.erase(bound);
      break;
    }
    case ImportKind::dynamic:
      if (!rec.module.empty()) imports_.insert(rec.module);
      break;
  }
}

void NameTable::assign(const Tree& tree, TSNode left, TSNode right, bool module_level) {
  left = unparen(left);
  if (!is(left, "identifier")) return;
  const std::string name(tree.text(left));
  right = unparen(right);
  // p = pickle / p = pickle.loads: follow when the root is a name an import bound.
  if (is(right, "identifier") || is(right, "attribute")) {
    TSNode root = right;
    for (int i = 0; i < kMaxChain && is(root, "attribute"); ++i) root = unparen(field(root, "object"));
    if (is(root, "identifier")) {
      const std::string r(tree.text(root));
      // Builtins that run or import code are followed too (`run = exec`).
      static const std::unordered_set<std::string> kBuiltins{"exec", "eval", "compile", "__import__", "execfile", "getattr"};
      if (aliases_.count(r) != 0 || bound_modules_.count(r) != 0 || (ts_node_eq(root, right) && kBuiltins.count(r) != 0)) {
        std::string q = qualname(tree, right);
        if (!q.empty() && q != name) {
          aliases_[name] = std::move(q);
          assigned_.insert(name);
          return;
        }
      }
    }
  } else if (is(right, "call")) {
    const std::string callee = call_qualname(tree, right);
    if (auto mod = dynamic_import_name(tree, *this, right, callee); mod && !mod->empty()) {
      aliases_[name] = *mod;
      assigned_.insert(name);
      return;
    }
  }
  // Any other value: an alias made by assignment no longer holds (import aliases stay, as in Bandit).
  if (assigned_.count(name) != 0) {
    aliases_.erase(name);
    assigned_.erase(name);
  }
  if (module_level) {
    if (auto v = literal_string(tree, right)) {
      if (!constants_.emplace(name, *v).second) reassigned_.insert(name);
      return;
    }
  }
  if (constants_.count(name) != 0) reassigned_.insert(name);
}

std::optional<std::string> dynamic_import_name(const Tree& tree, const NameTable& names, TSNode call,
                                               const std::string& callee) {
  if (callee != "importlib.import_module" && callee != "importlib.__import__" && callee != "__import__") return std::nullopt;
  const TSNode args = field(call, "arguments");
  if (!is(args, "argument_list")) return std::string();
  for (TSNode a : named_children(args)) {
    if (is(a, "comment")) continue;
    if (is(a, "keyword_argument")) {
      if (tree.text(field(a, "name")) == "name") return names.literal_string(tree, field(a, "value")).value_or("");
      continue;
    }
    return names.literal_string(tree, a).value_or("");
  }
  return std::string();
}

// ---------------------------------------------------------------------------------------------
// IndexBuilder

void IndexBuilder::record(ImportRecord rec) {
  rec.scope = current_scope();
  names_.add_import(rec);
  index_.imports.push_back(std::move(rec));
}

void IndexBuilder::on_import(TSNode n) {
  const std::uint32_t line = line_of(n);
  const std::uint32_t count = ts_node_named_child_count(n);
  for (std::uint32_t i = 0; i < count; ++i) {
    const TSNode c = ts_node_named_child(n, i);
    ImportRecord rec;
    rec.kind = ImportKind::plain;
    rec.line = line;
    if (is(c, "dotted_name")) {
      rec.module = std::string(tree_.text(c));
    } else if (is(c, "aliased_import")) {
      rec.module = std::string(tree_.text(field(c, "name")));
      rec.alias = std::string(tree_.text(field(c, "alias")));
    } else {
      continue;
    }
    record(std::move(rec));
  }
}

void IndexBuilder::on_import_from(TSNode n) {
  const std::uint32_t line = line_of(n);
  const TSNode mod = field(n, "module_name");
  std::string module;
  int level = 0;
  if (is(mod, "relative_import")) {
    for (TSNode c : named_children(mod)) {
      if (is(c, "import_prefix")) level = static_cast<int>(tree_.text(c).size());
      else if (is(c, "dotted_name")) module = std::string(tree_.text(c));
    }
  } else if (is(mod, "dotted_name")) {
    module = std::string(tree_.text(mod));
  }
  const std::uint32_t count = ts_node_named_child_count(n);
  for (std::uint32_t i = 0; i < count; ++i) {
    const TSNode c = ts_node_named_child(n, i);
    if (ts_node_eq(c, mod)) continue;
    ImportRecord rec;
    rec.kind = ImportKind::from;
    rec.module = module;
    rec.level = level;
    rec.line = line;
    if (is(c, "dotted_name")) {
      rec.name = std::string(tree_.text(c));
    } else if (is(c, "aliased_import")) {
      rec.name = std::string(tree_.text(field(c, "name")));
      rec.alias = std::string(tree_.text(field(c, "alias")));
    } else if (is(c, "wildcard_import")) {
      rec.name = "*";
    } else {
      continue;
    }
    record(std::move(rec));
  }
}

void IndexBuilder::on_definition(TSNode n, ScopeKind kind) {
  ScopeRecord s;
  s.kind = kind;
  s.name = std::string(tree_.text(field(n, "name")));
  const int parent = current_scope();
  s.parent = parent;
  s.qualname = parent >= 0 ? index_.scopes[static_cast<std::size_t>(parent)].qualname + "." + s.name : s.name;
  TSNode outer = n;
  const TSNode p = path_.size() >= 2 ? path_[path_.size() - 2] : TSNode{};
  if (is(p, "decorated_definition")) {
    outer = p;
    for (TSNode d : named_children(p)) {
      if (!is(d, "decorator")) continue;
      TSNode e = ts_node_named_child(d, 0);
      if (is(e, "call")) s.decorators.push_back(names_.call_qualname(tree_, e));
      else s.decorators.push_back(names_.qualname(tree_, e));
    }
  }
  s.span = span_of(outer);
  if (kind == ScopeKind::function) {
    s.is_async = ts_node_child_count(n) > 0 && tree_.text(ts_node_child(n, 0)) == "async";
  } else if (const TSNode sup = field(n, "superclasses"); is(sup, "argument_list")) {
    for (TSNode b : named_children(sup)) {
      if (is(b, "identifier") || is(b, "attribute")) s.bases.push_back(names_.qualname(tree_, b));
    }
  }
  const int index = static_cast<int>(index_.scopes.size());
  index_.scopes.push_back(std::move(s));
  scope_stack_.push_back(OpenScope{ts_node_end_byte(n), index, n});
  if (kind == ScopeKind::function) ++function_depth_;
}

bool IndexBuilder::enter(TSNode n, std::uint16_t type) {
  path_.push_back(n);
  ++index_.nodes;
  switch (type) {
    case type_id("ERROR"):
      index_.error_spans.push_back(span_of(n));
      index_.error_bytes += ts_node_end_byte(n) - ts_node_start_byte(n);
      return false;
    case type_id("import_statement"):
      on_import(n);
      break;
    case type_id("import_from_statement"):
      on_import_from(n);
      break;
    case type_id("function_definition"):
      on_definition(n, ScopeKind::function);
      break;
    case type_id("class_definition"):
      on_definition(n, ScopeKind::klass);
      break;
    case type_id("call"): {
      // Resolve only callees spelt like an import function, or bare names that are aliases
      // (`from importlib import import_module as load`): most calls are neither.
      const std::string_view fn = tree_.text(field(n, "function"));
      const auto ends = [&](std::string_view suf) { return fn.size() >= suf.size() && fn.substr(fn.size() - suf.size()) == suf; };
      const bool maybe_import = ends("import_module") || ends("__import__") ||
                                (fn.find('.') == std::string_view::npos && names_.aliases().contains(fn));
      if (!maybe_import) break;
      const std::string callee = names_.call_qualname(tree_, n);
      if (auto mod = dynamic_import_name(tree_, names_, n, callee)) {
        ImportRecord rec;
        rec.kind = ImportKind::dynamic;
        rec.module = *mod;
        rec.line = line_of(n);
        record(std::move(rec));
      }
      break;
    }
    case type_id("assignment"): {
      const TSNode right = field(n, "right");
      if (!ts_node_is_null(right)) names_.assign(tree_, field(n, "left"), right, scope_stack_.empty());
      break;
    }
    default:
      break;
  }
  if (ts_node_is_missing(n)) ++index_.missing_nodes;
  return true;
}

void IndexBuilder::leave(TSNode n) {
  if (!path_.empty()) path_.pop_back();
  if (!scope_stack_.empty() && ts_node_eq(scope_stack_.back().node, n)) {
    if (index_.scopes[static_cast<std::size_t>(scope_stack_.back().index)].kind == ScopeKind::function) --function_depth_;
    scope_stack_.pop_back();
  }
}

ModuleIndex index_module(const Tree& tree, NameTable* names_out) {
  IndexBuilder b(tree);
  const bool complete = walk_tree(
      tree.root(), [&](TSNode n) { return b.enter(n); }, [&](TSNode n) { b.leave(n); });
  b.index().truncated = !complete;
  if (names_out != nullptr) *names_out = b.names();
  return std::move(b.index());
}

}  // namespace mg::py
