#include "behaviour/model_builder.hpp"

#include <algorithm>
#include <deque>

#include "behaviour/api.hpp"
#include "behaviour/const_eval.hpp"
#include "behaviour/paths.hpp"
#include "core/string_map.hpp"
#include "core/text.hpp"
#include "python/checker.hpp"

namespace mg::behaviour {

using py::field;
using py::is;

namespace {

constexpr int kMaxDepth = 160;              // statement/expression nesting followed (hostile files nest deeply)
constexpr std::size_t kMaxConstant = 4096;  // constant text kept on a sink, for messages and matching
constexpr std::size_t kMaxPayload = 1u << 20;

std::string clip(std::string_view s) { return std::string(s.substr(0, kMaxConstant)); }

bool secret_env_name(std::string_view s) {
  std::string u;
  for (char ch : s) u += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  for (const char* w : {"TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL",
                        "AUTH", "SESSION", "COOKIE", "AWS_", "AZURE_", "GCP_", "GOOGLE_APPLICATION", "OPENAI", "ANTHROPIC",
                        "GITHUB_", "SLACK_", "DISCORD_", "STRIPE", "DATABASE_URL", "_KEY"}) {
    if (u.find(w) != std::string::npos) return true;
  }
  return false;
}

// What a command's output carries, by what the command does.
std::uint32_t command_output(std::string_view cmd) {
  std::uint32_t m = 0;
  const std::string c = to_lower(cmd);
  auto has = [&](std::string_view w) { return c.find(w) != std::string::npos; };
  if (has("curl ") || has("wget ") || has("invoke-webrequest") || has("iwr ") || has("nc ")) m |= kNetwork;
  if (is_secret_path(c) || has("printenv") || has("env ") || c == "env" || has("set ") || has("security find-")) m |= kSecret;
  for (std::string_view w : {"whoami", "hostname", "uname", "ifconfig", "ipconfig", "systeminfo", "id -", "ip addr", "ip a", "lsb_release",
                             "cat /etc/os-release", "wmic", "hostnamectl", "getent passwd"}) {
    if (has(w)) m |= kSystemInfo;
  }
  if (c == "id") m |= kSystemInfo;
  return m;
}

// What the builder keeps while it reads a file: lists that still grow, references still to be
// resolved. finish() packs them into the model's pools.
struct VarDraft {
  std::uint32_t scope = 0;
  Range name;  // already in FileModel::text
  Terms terms;
};

struct CallDraft {
  std::uint32_t scope = 0;
  std::string ref;
  std::uint32_t line = 0;
  std::vector<Terms> args;
  std::vector<std::pair<std::string, Terms>> kwargs;
  Terms receiver;
  bool callback = false;
  bool unknown_receiver = false;
  bool decoder_name = false;
};

struct SinkDraft : Sink {
  Terms data_terms, aux_terms;  // become Sink::data and Sink::aux
};

class Builder {
 public:
  Builder(const py::Tree& tree, const py::NameTable& names, std::string_view path)
      : tree_(tree), names_(names), ce_(tree, names, [this](std::string_view n) { return lookup_const(n); }) {
    m_.path = std::string(path);
  }

  FileModel run() {
    Scope module;
    module.name = put_text("<module>");
    module.leaf = module.name.size;
    module.body_first_line = 1;
    new_scope(std::move(module));
    pending_.reserve(tree_.source().size() / 16);  // about one name reference per 16 bytes of source; freed after finish()
    vars_.reserve(tree_.source().size() / 128);    // real code: about one variable and one call per 120-140 bytes
    calls_.reserve(tree_.source().size() / 128);
    block(tree_.root(), 0);
    finish();
    return std::move(m_);
  }

 private:
  // Probed with string_views of the source (no key string per lookup).
  struct ScopeState {
    StringMap<std::uint32_t> vars;
    StringMap<CVal> consts;         // last constant assigned (flow-sensitive)
    StringMap<std::string> objs;    // object kinds: "socket", "file:w:<path>", "smtp"
    // The literal parts of the last string built at run time (`url = f"https://host/{x}"`), so a
    // sink given the variable still sees its host or command.
    StringMap<std::string> texts;
  };

  // ---- scopes and variables -------------------------------------------------------------
  std::uint32_t new_scope(Scope s) {
    const auto id = static_cast<std::uint32_t>(m_.scopes.size());
    m_.scopes.push_back(std::move(s));
    state_.emplace_back();
    m_.scopes[id].ret_var = var(id, "$return");
    return id;
  }

  std::uint32_t var(std::uint32_t scope, std::string_view name) {
    auto& vars = state_[scope].vars;
    if (auto it = vars.find(name); it != vars.end()) return it->second;
    const auto id = static_cast<std::uint32_t>(vars_.size());
    vars_.push_back(VarDraft{scope, put_text(name), {}});
    vars.emplace(std::string(name), id);
    return id;
  }

  // The class whose instance `self` is in the current scope (or the class body itself).
  int enclosing_class(std::uint32_t scope) const {
    for (int s = static_cast<int>(scope); s >= 0; s = m_.scopes[static_cast<std::size_t>(s)].parent) {
      if (m_.scopes[static_cast<std::size_t>(s)].is_class) return s;
    }
    return -1;
  }

  // A reference to a name, resolved when the whole file has been seen (Python's scoping: a name
  // assigned anywhere in a function is local to it).
  // Data put into the object a name holds, wherever that name is bound (resolved in finish()).
  void write_into(std::string name, const Terms& t) {
    if (!t.empty()) writes_.push_back({cur_, std::move(name), t});
  }

  Term ref(std::uint32_t scope, std::string_view name, std::uint32_t line) {
    pending_.push_back({scope, stable(name)});
    return Term{TermKind::var, static_cast<std::uint32_t>(pending_.size() - 1) | kPendingBit, 0, line};
  }

  // `self.x` lives in the class scope.
  std::pair<std::uint32_t, std::string> attr_slot(std::string_view text) {
    const int cls = enclosing_class(cur_);
    if (cls >= 0 && (starts_with(text, "self.") || starts_with(text, "cls."))) {
      return {static_cast<std::uint32_t>(cls), "self." + std::string(text.substr(text.find('.') + 1))};
    }
    return {cur_, std::string(text)};
  }

  const CVal* lookup_const(std::string_view key) const {
    for (int s = static_cast<int>(cur_); s >= 0; s = m_.scopes[static_cast<std::size_t>(s)].parent) {
      const auto& c = state_[static_cast<std::size_t>(s)].consts;
      if (auto it = c.find(key); it != c.end()) return &it->second;
      if (m_.scopes[static_cast<std::size_t>(s)].is_class && static_cast<std::uint32_t>(s) != cur_) continue;
    }
    return nullptr;
  }

  std::string obj_kind(std::string_view key) const {
    for (int s = static_cast<int>(cur_); s >= 0; s = m_.scopes[static_cast<std::size_t>(s)].parent) {
      const auto& o = state_[static_cast<std::size_t>(s)].objs;
      if (auto it = o.find(key); it != o.end()) return it->second;
    }
    if (starts_with(key, "self.")) {
      const int cls = enclosing_class(cur_);
      if (cls >= 0) {
        const auto& o = state_[static_cast<std::size_t>(cls)].objs;
        if (auto it = o.find(key); it != o.end()) return it->second;
      }
    }
    return {};
  }

  void finish() {
    // Resolve pending names: the innermost function scope that assigns the name, then the module.
    std::vector<Term> resolved(pending_.size());
    auto resolve = [&](const Pending& p) -> Term {
      for (int s = static_cast<int>(p.scope); s >= 0; s = m_.scopes[static_cast<std::size_t>(s)].parent) {
        const bool is_class = m_.scopes[static_cast<std::size_t>(s)].is_class;
        if (is_class && static_cast<std::uint32_t>(s) != p.scope && !starts_with(p.name, "self.")) continue;  // class bodies are not closures
        const auto& vars = state_[static_cast<std::size_t>(s)].vars;
        if (auto it = vars.find(p.name); it != vars.end()) return Term{TermKind::var, it->second, 0, 0};
      }
      return Term{TermKind::bits, 0, 0, 0};
    };
    auto fix = [&](Terms& ts) {
      for (auto& t : ts) {
        if (t.kind == TermKind::var && (t.a & kPendingBit)) {
          const Term r = resolve(pending_[t.a & ~kPendingBit]);
          t.kind = r.kind;
          t.a = r.a;
        }
      }
      std::erase_if(ts, [](const Term& t) { return t.kind == TermKind::bits && t.a == 0; });
    };
    // Containers filled from inside functions (`_buf.append(key)`, `cache[k] = v`) are the
    // variables those names resolve to, often the module's.
    for (auto& w : writes_) {
      const Term target = resolve(Pending{w.scope, w.name});
      if (target.kind != TermKind::var) continue;
      fix(w.terms);
      auto& dst = vars_[target.a].terms;
      dst.insert(dst.end(), w.terms.begin(), w.terms.end());
    }
    writes_.clear();
    for (auto& v : vars_) fix(v.terms);
    for (auto& c : calls_) {
      for (auto& a : c.args) fix(a);
      for (auto& k : c.kwargs) fix(k.second);
      fix(c.receiver);
    }
    for (auto& s : sinks_) {
      fix(s.data_terms);
      fix(s.aux_terms);
    }
    pack();
  }

  // The drafts into the model's pools, sized once.
  void pack() {
    std::size_t nterms = 0, nargs = 0, nkw = 0, ntext = m_.text.size();
    for (const auto& v : vars_) nterms += v.terms.size();
    for (const auto& c : calls_) {
      nargs += c.args.size();
      nkw += c.kwargs.size();
      ntext += c.ref.size();
      nterms += c.receiver.size();
      for (const auto& a : c.args) nterms += a.size();
      for (const auto& k : c.kwargs) nterms += k.second.size(), ntext += k.first.size();
    }
    for (const auto& s : sinks_) nterms += s.data_terms.size() + s.aux_terms.size();
    m_.terms.reserve(nterms);
    m_.text.reserve(ntext);
    m_.arg_lists.reserve(nargs);
    m_.kwarg_lists.reserve(nkw);
    m_.vars.reserve(vars_.size());
    for (const auto& v : vars_) m_.vars.push_back(Var{v.scope, v.name, put_terms(v.terms)});
    m_.calls.reserve(calls_.size());
    for (const auto& c : calls_) {
      CallSite out;
      out.scope = c.scope;
      out.line = c.line;
      out.ref = put_text(c.ref);
      out.args = Range{static_cast<std::uint32_t>(m_.arg_lists.size()), static_cast<std::uint32_t>(c.args.size())};
      for (const auto& a : c.args) m_.arg_lists.push_back(put_terms(a));
      out.kwargs = Range{static_cast<std::uint32_t>(m_.kwarg_lists.size()), static_cast<std::uint32_t>(c.kwargs.size())};
      for (const auto& [name, t] : c.kwargs) m_.kwarg_lists.push_back(Kwarg{put_text(name), put_terms(t)});
      out.receiver = put_terms(c.receiver);
      out.callback = c.callback;
      out.unknown_receiver = c.unknown_receiver;
      out.decoder_name = c.decoder_name;
      m_.calls.push_back(out);
    }
    m_.sinks.reserve(sinks_.size());
    for (auto& d : sinks_) {
      Sink s = std::move(static_cast<Sink&>(d));
      s.data = put_terms(d.data_terms);
      s.aux = put_terms(d.aux_terms);
      m_.sinks.push_back(std::move(s));
    }
  }

  Range put_terms(const Terms& t) {
    const Range r{static_cast<std::uint32_t>(m_.terms.size()), static_cast<std::uint32_t>(t.size())};
    m_.terms.insert(m_.terms.end(), t.begin(), t.end());
    return r;
  }
  Range put_text(std::string_view t) {
    const Range r{static_cast<std::uint32_t>(m_.text.size()), static_cast<std::uint32_t>(t.size())};
    m_.text += t;
    return r;
  }

  // ---- statements ---------------------------------------------------------------------------
  void block(TSNode n, int depth) {
    if (depth > kMaxDepth) return;
    for (TSNode c : py::named_children(n)) statement(c, depth + 1);
  }

  void statement(TSNode n, int depth) {
    if (depth > kMaxDepth || ts_node_is_null(n)) return;
    switch (py::type_index(n)) {
      case py::type_id("expression_statement"):
        for (TSNode c : py::named_children(n)) {
          if (is(c, "assignment") || is(c, "augmented_assignment")) assignment(c, depth);
          else expr(c, depth);
        }
        return;
      case py::type_id("return_statement"):
        for (TSNode c : py::named_children(n)) add(m_.scopes[cur_].ret_var, expr(c, depth));
        return;
      case py::type_id("function_definition"): function(n, {}, depth); return;
      case py::type_id("class_definition"): klass(n, {}, depth); return;
      case py::type_id("decorated_definition"): {
        std::vector<TSNode> decorators;
        for (TSNode c : py::named_children(n)) {
          if (is(c, "decorator")) {
            decorators.push_back(c);
            expr(c, depth);
          }
        }
        TSNode def = field(n, "definition");
        if (is(def, "function_definition")) function(def, decorators, depth);
        else if (is(def, "class_definition")) klass(def, decorators, depth);
        return;
      }
      case py::type_id("for_statement"): {
        Terms it = expr(field(n, "right"), depth);
        bind_target(field(n, "left"), it, std::nullopt, depth);
        block(field(n, "body"), depth);
        for (TSNode c : py::named_children(n)) {
          if (is(c, "else_clause")) block(field(c, "body"), depth);
        }
        return;
      }
      case py::type_id("with_statement"): {
        for (TSNode c : py::named_children(n)) {
          if (is(c, "with_clause")) {
            for (TSNode item : py::named_children(c)) {
              if (!is(item, "with_item")) continue;
              TSNode v = field(item, "value");
              if (is(v, "as_pattern")) {
                TSNode value = ts_node_named_child(v, 0);
                std::string kind;
                Terms t = expr(value, depth, &kind);
                TSNode alias = field(v, "alias");
                if (!ts_node_is_null(alias) && ts_node_named_child_count(alias) > 0) alias = ts_node_named_child(alias, 0);
                bind_target(alias, t, std::nullopt, depth);
                if (!kind.empty() && !ts_node_is_null(alias)) state_[cur_].objs[std::string(tree_.text(alias))] = kind;
              } else {
                expr(v, depth);
              }
            }
          } else if (is(c, "block")) {
            block(c, depth);
          }
        }
        return;
      }
      case py::type_id("if_statement"):
      case py::type_id("while_statement"):
      case py::type_id("try_statement"):
      case py::type_id("elif_clause"):
      case py::type_id("else_clause"):
      case py::type_id("finally_clause"):
      case py::type_id("except_clause"):
      case py::type_id("block"):
      case py::type_id("match_statement"):
      case py::type_id("case_clause"):
        for (TSNode c : py::named_children(n)) {
          if (is(c, "block") || is(c, "elif_clause") || is(c, "else_clause") || is(c, "finally_clause") || is(c, "except_clause") ||
              is(c, "case_clause")) {
            statement(c, depth + 1);
          } else if (ts_node_is_named(c) && !is(c, "comment")) {
            if (is(c, "expression_statement") || is(c, "return_statement") || is(c, "function_definition") ||
                is(c, "class_definition") || is(c, "decorated_definition") || is(c, "if_statement") || is(c, "for_statement") ||
                is(c, "while_statement") || is(c, "try_statement") || is(c, "with_statement")) {
              statement(c, depth + 1);
            } else {
              expr(c, depth);  // conditions, except types, subjects
            }
          }
        }
        return;
      case py::type_id("raise_statement"):
      case py::type_id("assert_statement"):
      case py::type_id("delete_statement"):
      case py::type_id("print_statement"):
      case py::type_id("exec_statement"):
        if (is(n, "exec_statement")) {
          TSNode code = field(n, "code");
          Terms t = expr(code, depth);
          sink(Cap::exec, n, "exec", t, {}, code);
          return;
        }
        for (TSNode c : py::named_children(n)) expr(c, depth);
        return;
      case py::type_id("import_statement"):
      case py::type_id("import_from_statement"):
      case py::type_id("future_import_statement"):
      case py::type_id("global_statement"):
      case py::type_id("nonlocal_statement"):
      case py::type_id("pass_statement"):
      case py::type_id("break_statement"):
      case py::type_id("continue_statement"):
      case py::type_id("comment"):
        return;
      default:
        expr(n, depth);
    }
  }

  // "Outer.leaf" (or "leaf" in the module body), put in the text pool.
  void name_scope(Scope& s, std::string_view leaf) {
    const std::string_view outer = m_.name_of(m_.scopes[cur_]);
    const std::string full = cur_ == 0 ? std::string(leaf) : std::string(outer) + "." + std::string(leaf);
    s.name = put_text(full);
    s.leaf = static_cast<std::uint32_t>(leaf.size());
  }

  void function(TSNode n, const std::vector<TSNode>& decorators, int depth) {
    (void)decorators;
    Scope s;
    name_scope(s, tree_.text(field(n, "name")));
    s.parent = static_cast<int>(cur_);
    TSNode body = field(n, "body");
    s.body_first_line = ts_node_is_null(body) ? py::line_of(n) : py::line_of(body);
    // Defaults run in the enclosing scope.
    TSNode params = field(n, "parameters");
    std::vector<std::pair<std::string, Terms>> defaults;
    for (TSNode p : py::named_children(params)) {
      std::string pname;
      Terms dflt;
      if (is(p, "identifier")) pname = std::string(tree_.text(p));
      else if (is(p, "default_parameter") || is(p, "typed_default_parameter")) {
        pname = std::string(tree_.text(field(p, "name")));
        dflt = expr(field(p, "value"), depth);
      } else if (is(p, "typed_parameter")) {
        TSNode id = ts_node_named_child(p, 0);
        pname = std::string(tree_.text(id));
      } else if (is(p, "list_splat_pattern") || is(p, "dictionary_splat_pattern")) {
        pname = std::string(tree_.text(ts_node_named_child(p, 0)));
      } else {
        continue;
      }
      defaults.emplace_back(pname, std::move(dflt));
    }
    const std::uint32_t outer = cur_;
    const std::uint32_t id = new_scope(std::move(s));
    m_.scopes[id].params = Range{static_cast<std::uint32_t>(m_.param_vars.size()), static_cast<std::uint32_t>(defaults.size())};
    for (auto& [pname, dflt] : defaults) {
      const auto v = var(id, pname);
      m_.param_vars.push_back(v);
      add(v, dflt);
    }
    cur_ = id;
    block(body, depth);
    cur_ = outer;
  }

  void klass(TSNode n, const std::vector<TSNode>& decorators, int depth) {
    (void)decorators;
    TSNode supers = field(n, "superclasses");
    if (!ts_node_is_null(supers)) expr(supers, depth);
    Scope s;
    name_scope(s, tree_.text(field(n, "name")));
    s.parent = static_cast<int>(cur_);
    s.is_class = true;
    TSNode body = field(n, "body");
    s.body_first_line = ts_node_is_null(body) ? py::line_of(n) : py::line_of(body);
    const std::uint32_t outer = cur_;
    const std::uint32_t id = new_scope(std::move(s));
    cur_ = id;
    block(body, depth);
    cur_ = outer;
  }

  void assignment(TSNode n, int depth) {
    TSNode right = field(n, "right");
    TSNode left = field(n, "left");
    if (ts_node_is_null(right)) return;  // annotation only
    std::string kind;
    Terms t;
    if (is(right, "assignment")) {  // a = b = value
      assignment(right, depth);
      t = expr(field(right, "left"), depth);
    } else {
      t = expr(right, depth, &kind);
    }
    std::optional<CVal> value;
    if (is(n, "assignment") && (is(left, "identifier") || is(left, "attribute"))) value = ce_.eval(right);
    if (is(n, "augmented_assignment")) {
      t.push_back(ref_of_target(left));
      value.reset();
      if (is(left, "identifier")) state_[cur_].consts.erase(std::string(tree_.text(left)));
    }
    bind_target(left, t, value, depth);
    if (is(left, "identifier")) {
      auto& texts = state_[cur_].texts;
      const std::string name(tree_.text(left));
      const bool built = !value && is(n, "assignment") &&
                         (is(right, "string") || is(right, "binary_operator") || (is(right, "call") && ends_with(tree_.text(field(right, "function")), ".format")));
      std::string text = built ? clip(partial_text(right, 0)) : std::string();
      if (text.find_first_not_of("\xe2\x80\xa6 ") != std::string::npos) texts[name] = std::move(text);
      else texts.erase(name);
    }
    if (!kind.empty() && (is(left, "identifier") || is(left, "attribute"))) {
      auto [scope, name] = attr_slot(tree_.text(left));
      state_[scope].objs[name] = kind;
    }
  }

  Term ref_of_target(TSNode left) {
    auto [scope, name] = attr_slot(tree_.text(left));
    return ref(scope, name, py::line_of(left));
  }

  void bind_target(TSNode left, const Terms& t, const std::optional<CVal>& value, int depth) {
    if (ts_node_is_null(left) || depth > kMaxDepth) return;
    if (is(left, "identifier")) {
      const std::string name(tree_.text(left));
      add(var(cur_, name), t);
      if (value) state_[cur_].consts[name] = *value;
      else state_[cur_].consts.erase(name);
      return;
    }
    if (is(left, "attribute")) {
      const std::string_view text = tree_.text(left);
      auto [scope, name] = attr_slot(text);
      if (starts_with(name, "self.")) {
        add(var(scope, name), t);
        if (value && value->kind == CVal::Kind::ref) state_[scope].consts[name] = *value;
      } else {
        // obj.x = data: the object carries it.
        TSNode root = left;
        while (is(root, "attribute")) root = field(root, "object");
        if (is(root, "identifier")) write_into(std::string(tree_.text(root)), t);
      }
      return;
    }
    if (is(left, "subscript")) {
      TSNode root = field(left, "value");
      expr(field(left, "subscript"), depth);
      while (is(root, "subscript") || is(root, "attribute")) root = is(root, "subscript") ? field(root, "value") : field(root, "object");
      if (is(root, "identifier")) write_into(std::string(tree_.text(root)), t);
      return;
    }
    // Tuples and lists: every element may hold any part of the value.
    for (TSNode c : py::named_children(left)) bind_target(is(c, "list_splat_pattern") ? ts_node_named_child(c, 0) : c, t, std::nullopt, depth + 1);
  }

  void add(std::uint32_t v, const Terms& t) {
    auto& dst = vars_[v].terms;
    if (dst.size() > 256) return;  // enough evidence; keeps hostile files bounded
    dst.insert(dst.end(), t.begin(), t.end());
  }

  Term source(std::uint32_t mask, TSNode at, std::string what) {
    m_.sources.push_back(Source{mask, py::line_of(at), std::move(what)});
    return Term{TermKind::source, static_cast<std::uint32_t>(m_.sources.size() - 1), 0, py::line_of(at)};
  }

  void sink(Cap cap, TSNode at, std::string api, Terms data, Terms aux, TSNode constant_of = {}, bool shell = false) {
    SinkDraft s;
    s.cap = cap;
    s.scope = cur_;
    s.line = py::line_of(at);
    s.column = py::column_of(at);
    s.api = std::move(api);
    s.data_terms = std::move(data);
    s.aux_terms = std::move(aux);
    s.shell = shell;
    if (!ts_node_is_null(constant_of)) {
      if (auto v = ce_.eval(constant_of); !v || v->kind == CVal::Kind::ref) {
        s.constant = clip(partial_text(constant_of, 0));  // f"chmod +x {path}" -> "chmod +x …"
      } else {
        if (v->is_text()) s.constant = clip(v->s), s.decoded_constant = v->decoded;
        else if (v->kind == CVal::Kind::list) {
          for (const auto& it : v->items) {
            if (!it.is_text()) break;
            if (!s.constant.empty()) s.constant += ' ';
            s.constant += it.s;
            s.decoded_constant = s.decoded_constant || it.decoded;
          }
          s.constant = clip(s.constant);
        }
      }
    }
    sinks_.push_back(std::move(s));
  }

  // The literal parts of a string built at run time, "…" for the rest: enough to recognise the
  // shape of a command (`chmod +x …`, `curl … | sh`).
  std::string partial_text(TSNode n, int depth) {
    if (ts_node_is_null(n) || depth > 16) return "…";
    if (auto v = ce_.eval(n); v && v->is_text()) return v->s;
    if (is(n, "string")) {
      std::string out;
      for (TSNode c : py::named_children(n)) {
        if (is(c, "string_content")) out += tree_.text(c);
        else if (is(c, "interpolation")) out += "…";
      }
      return out;
    }
    if (is(n, "binary_operator")) return partial_text(field(n, "left"), depth + 1) + partial_text(field(n, "right"), depth + 1);
    if (is(n, "identifier")) {
      const auto& texts = state_[cur_].texts;
      if (auto it = texts.find(tree_.text(n)); it != texts.end()) return it->second;
      return "…";
    }
    if (is(n, "list") || is(n, "tuple")) {
      std::string out;
      for (TSNode c : py::named_children(n)) out += (out.empty() ? "" : " ") + partial_text(c, depth + 1);
      return out;
    }
    if (is(n, "call")) {  // "x {}".format(...)
      TSNode f = field(n, "function");
      if (is(f, "attribute") && tree_.text(field(f, "attribute")) == "format") return partial_text(field(f, "object"), depth + 1);
    }
    return "…";
  }

  void payload(TSNode at, std::string kind, const CVal& v, std::string via) {
    if (!v.is_text() || v.s.empty() || v.s.size() > kMaxPayload || m_.payloads.size() >= 64) return;
    m_.payloads.push_back(FileModel::Payload{py::line_of(at), std::move(kind), v.s, std::move(via)});
  }

  // The content of a file the repository code names by a constant path (so a download written to
  // it and a later read or import of it connect).
  Term file_content(const std::string& path, std::uint32_t line) { return ref(0, "file:" + path, line); }
  void write_file_content(const std::string& path, const Terms& t) {
    if (!path.empty()) add(var(0, "file:" + path), t);
  }

  // ---- expressions --------------------------------------------------------------------------
  // What an expression's value carries. `kind`, when given, receives an object kind for the
  // value ("socket", "file:w:<path>", "smtp") so later method calls on it are understood.
  Terms expr(TSNode n, int depth, std::string* kind = nullptr) {
    Terms out;
    if (ts_node_is_null(n) || depth > kMaxDepth) return out;
    switch (py::type_index(n)) {
      case py::type_id("identifier"): {
        const std::string_view name = tree_.text(n);
        out.push_back(ref(cur_, name, py::line_of(n)));
        if (kind != nullptr) *kind = obj_kind(name);
        return out;
      }
      case py::type_id("attribute"): {
        const std::string q = names_.qualname(tree_, n);
        if (q == "os.environ" || q == "os.environb" || q == "environ") {
          out.push_back(source(kSecret | kEnv, n, "the whole environment"));
          return out;
        }
        if (q == "sys.argv") {
          out.push_back(source(kUserInput, n, "command-line arguments"));
          return out;
        }
        if (q == "sys.platform" || q == "os.name") return out;  // a constant for the machine: not identifying
        const std::string_view text = tree_.text(n);
        TSNode root = n;
        while (is(root, "attribute")) root = field(root, "object");
        if (is(root, "identifier") && (starts_with(text, "self.") || starts_with(text, "cls."))) {
          // self.x.y carries self.x
          TSNode first = n;
          while (is(field(first, "object"), "attribute")) first = field(first, "object");
          auto [scope, name] = attr_slot(tree_.text(first));
          out.push_back(ref(scope, name, py::line_of(n)));
          if (kind != nullptr) *kind = obj_kind(tree_.text(first));
          return out;
        }
        out = expr(field(n, "object"), depth + 1);
        return out;
      }
      case py::type_id("subscript"): {
        TSNode value = field(n, "value");
        const std::string q = names_.qualname(tree_, value);
        if (q == "os.environ" || q == "environ" || q == "os.environb") {
          auto key = ce_.eval(field(n, "subscript"));
          if (key && key->is_text()) {
            out.push_back(source(secret_env_name(key->s) ? (kSecret | kEnv) : kEnv, n, "environment variable " + clip(key->s)));
          } else {
            out.push_back(source(kSecret | kEnv, n, "environment variables by a computed name"));
          }
          return out;
        }
        out = expr(value, depth + 1);
        TSNode sub = field(n, "subscript");
        if (is(sub, "slice")) {
          // "...."[::-1]: reversing a constant string is an obfuscation step (reversing an image
          // or a list is not).
          if (auto v = ce_.eval(n); v && v->is_text() && v->decoded) out.push_back(Term{TermKind::bits, kDecoded, 0, py::line_of(n)});
        }
        Terms k = expr(sub, depth + 1);
        out.insert(out.end(), k.begin(), k.end());
        return out;
      }
      case py::type_id("call"): return call(n, depth, kind);
      case py::type_id("binary_operator"): {
        out = expr(field(n, "left"), depth + 1);
        Terms r = expr(field(n, "right"), depth + 1);
        out.insert(out.end(), r.begin(), r.end());
        if (tree_.text(field(n, "operator")) == "^" && !out.empty() && is_xor_decoding(n)) out.push_back(Term{TermKind::bits, kDecoded, 0, py::line_of(n)});
        return out;
      }
      case py::type_id("comparison_operator"):
      case py::type_id("not_operator"):
        for (TSNode c : py::named_children(n)) expr(c, depth + 1);  // calls inside still happen
        return out;  // a boolean carries no data
      case py::type_id("lambda"): {
        return expr(field(n, "body"), depth + 1);
      }
      case py::type_id("named_expression"): {
        out = expr(field(n, "value"), depth + 1);
        TSNode name = field(n, "name");
        if (is(name, "identifier")) add(var(cur_, std::string(tree_.text(name))), out);
        return out;
      }
      case py::type_id("list_comprehension"):
      case py::type_id("set_comprehension"):
      case py::type_id("generator_expression"):
      case py::type_id("dictionary_comprehension"): {
        // Loop variables take what they iterate over; the body is the value.
        for (TSNode c : py::named_children(n)) {
          if (is(c, "for_in_clause")) {
            Terms it = expr(field(c, "right"), depth + 1);
            bind_target(field(c, "left"), it, std::nullopt, depth + 1);
          }
        }
        for (TSNode c : py::named_children(n)) {
          if (is(c, "for_in_clause")) continue;
          Terms t = expr(c, depth + 1);
          if (!is(c, "if_clause")) out.insert(out.end(), t.begin(), t.end());
        }
        return out;
      }
      case py::type_id("string"): {
        for (TSNode c : py::named_children(n)) {
          if (is(c, "interpolation")) {
            Terms t = expr(field(c, "expression"), depth + 1);
            out.insert(out.end(), t.begin(), t.end());
          }
        }
        return out;
      }
      case py::type_id("integer"):
      case py::type_id("float"):
      case py::type_id("true"):
      case py::type_id("false"):
      case py::type_id("none"):
      case py::type_id("comment"):
      case py::type_id("ellipsis"):
        return out;
      default:
        for (TSNode c : py::named_children(n)) {
          Terms t = expr(c, depth + 1, ts_node_named_child_count(n) == 1 ? kind : nullptr);
          out.insert(out.end(), t.begin(), t.end());
        }
        if (out.size() > 64) out.resize(64);
        return out;
    }
  }

  // The callee is spelled so that a reader does not see its name: getattr with a string,
  // __dict__/__getattribute__, vars(builtins), a name built from pieces or decoded.
  bool hidden_callee(TSNode func, const std::string& callee) const {
    if (callee.empty()) return false;
    if (is(func, "identifier")) return !fold_identifier(tree_.text(func)).empty();
    if (is(func, "attribute")) {
      TSNode root = func;
      while (is(root, "attribute")) {
        const std::string_view a = tree_.text(field(root, "attribute"));
        if (a == "__dict__" || a == "__getattribute__" || a == "__call__") return true;
        root = field(root, "object");
      }
      if (is(root, "identifier")) return false;  // a plain name chain (aliases included)
      if (is(root, "subscript")) return true;       // sys.modules["os"].system
      if (!is(root, "call")) return false;
      // __import__("os").system, getattr(m, "x").y: the object itself is looked up by name.
      const std::string inner = names_.call_qualname(tree_, root);
      return inner == "__import__" || inner == "importlib.import_module" || inner == "getattr" || inner == "vars" ||
             inner == "globals" || inner == "locals" || inner == "builtins.__import__";
    }
    return is(func, "call") || is(func, "subscript");  // getattr(os, "system")(...), vars(__builtins__)["exec"](...)
  }

  struct Args {
    std::vector<TSNode> pos;
    std::vector<Terms> pos_terms;
    std::vector<std::pair<std::string_view, TSNode>> kw;
    std::vector<std::pair<std::string, Terms>> kw_terms;
    Terms all;
    TSNode arg(std::size_t i) const { return i < pos.size() ? pos[i] : TSNode{}; }
    TSNode keyword(std::string_view k) const {
      for (const auto& [name, node] : kw) {
        if (name == k) return node;
      }
      return {};
    }
    TSNode arg_or(std::size_t i, std::string_view k) const {
      TSNode v = keyword(k);
      return ts_node_is_null(v) ? arg(i) : v;
    }
    Terms terms_of(std::size_t i, std::string_view k) const {
      for (const auto& [name, t] : kw_terms) {
        if (name == k) return t;
      }
      return i < pos_terms.size() ? pos_terms[i] : Terms{};
    }
  };

  Args args_of(TSNode call_node, int depth) {
    Args a;
    TSNode args = field(call_node, "arguments");
    if (is(args, "generator_expression")) {
      a.pos.push_back(args);
      a.pos_terms.push_back(expr(args, depth + 1));
      a.all = a.pos_terms.back();
      return a;
    }
    for (TSNode c : py::named_children(args)) {
      if (is(c, "comment")) continue;
      if (is(c, "keyword_argument")) {
        const std::string_view k = tree_.text(field(c, "name"));
        const TSNode value = field(c, "value");
        a.kw.emplace_back(k, value);
        a.kw_terms.emplace_back(std::string(k), expr(value, depth + 1));
        a.all.insert(a.all.end(), a.kw_terms.back().second.begin(), a.kw_terms.back().second.end());
      } else {
        a.pos.push_back(is(c, "list_splat") ? ts_node_named_child(c, 0) : c);
        a.pos_terms.push_back(expr(a.pos.back(), depth + 1));
        a.all.insert(a.all.end(), a.pos_terms.back().begin(), a.pos_terms.back().end());
      }
    }
    return a;
  }

  // `b ^ key` inside a loop or comprehension over bytes, with a constant key: an xor decoder (a
  // bitwise xor of two tensors or masks is not).
  bool is_xor_decoding(TSNode n) const {
    auto l = ce_.eval(field(n, "left"));
    auto r = ce_.eval(field(n, "right"));
    const bool const_key = (l && (l->kind == CVal::Kind::integer || l->is_text())) || (r && (r->kind == CVal::Kind::integer || r->is_text()));
    if (!const_key) return false;
    // Inside chr(...)/ord(...)/bytes(...) or a generator: character-wise decoding.
    for (TSNode p = n; !ts_node_is_null(p); p = ts_node_parent(p)) {
      if (is(p, "generator_expression") || is(p, "list_comprehension") || is(p, "for_statement")) return true;
      if (is(p, "function_definition") || is(p, "module")) break;
    }
    return false;
  }

  // The receiver's name says socket or connection (`sock.recv`, `self.conn.send`).
  bool socket_named(TSNode func) const {
    if (!is(func, "attribute")) return false;
    const std::string r = to_lower(tree_.text(field(func, "object")));
    for (std::string_view w : {"sock", "conn", "client", "tcp", "udp"}) {
      if (r.find(w) != std::string::npos) return true;
    }
    return r == "s" || r == "c";
  }

  // `x.m(...)` where x is a value rather than a module, class, self or cls.
  bool receiver_is_unknown(TSNode func) const {
    if (!is(func, "attribute")) return false;
    TSNode obj = field(func, "object");
    if (!is(obj, "identifier")) {
      // self.x.m(), f().m(), a[0].m(): an object whose type is not known here
      return !(is(obj, "call") && tree_.text(field(obj, "function")) == "super");
    }
    const std::string_view name = tree_.text(obj);
    if (name == "self" || name == "cls") return false;
    for (int s = static_cast<int>(cur_); s >= 0; s = m_.scopes[static_cast<std::size_t>(s)].parent) {
      if (state_[static_cast<std::size_t>(s)].vars.count(name) != 0) return true;  // a variable (or parameter) of the code
    }
    return false;  // an imported module or a class
  }

  // The reference string reachability uses for the callee ("f", "self.m", "mod.f", "super.m", ".m").
  std::string callee_ref(TSNode func, const std::string& resolved) {
    if (is(func, "identifier")) return std::string(tree_.text(func));
    if (is(func, "attribute")) {
      TSNode obj = field(func, "object");
      const std::string leaf(tree_.text(field(func, "attribute")));
      if (is(obj, "call") && tree_.text(field(obj, "function")) == "super") return "super." + leaf;
      TSNode root = func;
      bool simple = true;
      while (is(root, "attribute")) root = field(root, "object");
      simple = is(root, "identifier");
      if (simple) return std::string(tree_.text(func));
      return "." + leaf;
    }
    if (!resolved.empty()) return resolved;
    return {};
  }

  std::optional<std::string> const_text(TSNode n) {
    if (ts_node_is_null(n)) return std::nullopt;
    auto v = ce_.eval(n);
    if (!v) return std::nullopt;
    if (v->is_text()) return v->s;
    if (v->kind == CVal::Kind::list) {
      std::string s;
      for (const auto& it : v->items) {
        if (!it.is_text()) return std::nullopt;
        if (!s.empty()) s += ' ';
        s += it.s;
      }
      return s;
    }
    return std::nullopt;
  }

  Terms call(TSNode n, int depth, std::string* kind) {
    TSNode func = field(n, "function");
    std::string callee = ce_.callee(func);
    // methodcaller("system", cmd)(os): the method of the object the outer call is given, called
    // with the arguments methodcaller holds.
    TSNode held_args{};
    if (starts_with(callee, kCallerTag) && is(func, "call")) {
      TSNode outer = field(n, "arguments");
      TSNode obj = ts_node_is_null(outer) || ts_node_named_child_count(outer) == 0 ? TSNode{} : ts_node_named_child(outer, 0);
      auto v = ce_.eval(obj);
      callee = v && v->kind == CVal::Kind::ref ? normalize_ref(v->s + "." + callee.substr(kCallerTag.size())) : std::string();
      held_args = func;
    }
    const std::string_view method = is(func, "attribute") ? tree_.text(field(func, "attribute")) : std::string_view{};
    Api api = api_of(callee);
    const bool hidden = hidden_callee(func, callee);
    std::string recv_kind;
    Terms receiver;
    const bool env_method = starts_with(callee, "os.environ.") || starts_with(callee, "environ.");
    if (is(func, "attribute") && !env_method) receiver = expr(field(func, "object"), depth + 1, &recv_kind);
    else if (is(func, "call") || is(func, "subscript")) receiver = expr(func, depth + 1);
    if (api == Api::none && !method.empty()) {
      // Methods of objects this file made (`s = socket.socket(); s.connect(...)`), then names
      // specific enough to mean one thing whatever the receiver.
      if (recv_kind == "socket" || recv_kind == "smtp") {
        if (method == "connect" || method == "connect_ex") api = Api::socket_connect;
      }
      if (recv_kind == "http" && (method == "request" || method == "get" || method == "put" || method == "patch" ||
                                  method == "delete" || method == "send" || method == "stream")) {
        api = Api::http;
      }
      if (api == Api::none) api = api_of_method(method);
    }
    Args a = args_of(ts_node_is_null(held_args) ? n : held_args, depth);
    if (!ts_node_is_null(held_args) && !a.pos.empty()) {  // drop the method name
      a.pos.erase(a.pos.begin());
      a.pos_terms.erase(a.pos_terms.begin());
    }
    Terms result;
    const std::uint32_t line = py::line_of(n);
    const std::size_t sinks_before = sinks_.size();
    struct MarkHidden {
      std::vector<SinkDraft>& sinks;
      std::size_t from;
      bool hidden;
      ~MarkHidden() {
        for (std::size_t i = from; hidden && i < sinks.size(); ++i) sinks[i].hidden_name = true;
      }
    } mark_hidden{sinks_, sinks_before, hidden};
    auto all_with_receiver = [&] {
      Terms t = a.all;
      t.insert(t.end(), receiver.begin(), receiver.end());
      return t;
    };

    switch (api) {
      case Api::env_get: {
        auto key = const_text(a.arg_or(0, "key"));
        if (key) result.push_back(source(secret_env_name(*key) ? (kSecret | kEnv) : kEnv, n, "environment variable " + clip(*key)));
        else result.push_back(source(kSecret | kEnv, n, "environment variables by a computed name"));
        return result;
      }
      case Api::env_whole: result.push_back(source(kSecret | kEnv, n, "the whole environment")); return result;
      case Api::secret_call: result.push_back(source(kSecret, n, "credentials from " + callee)); return result;
      case Api::user_input: result.push_back(source(kUserInput, n, callee)); return result;
      case Api::system_info: result.push_back(source(kSystemInfo, n, "system information (" + callee + ")")); return result;
      case Api::open_file: {
        TSNode p = a.arg_or(0, "file");
        auto path = const_text(p);
        auto mode = const_text(a.arg_or(1, "mode"));
        const bool writing = mode && mode->find_first_of("wax+") != std::string::npos;
        if (writing) {
          if (kind != nullptr) *kind = "file:w:" + (path ? clip(*path) : std::string());
          result = a.pos_terms.empty() ? Terms{} : a.pos_terms[0];
          return result;
        }
        if (path) {
          if (is_secret_path(*path)) result.push_back(source(kSecret, n, "credential file " + clip(*path)));
          result.push_back(file_content(clip(*path), line));
        }
        if (kind != nullptr) *kind = "file:r:" + (path ? clip(*path) : std::string());
        if (!a.pos_terms.empty()) result.insert(result.end(), a.pos_terms[0].begin(), a.pos_terms[0].end());
        return result;
      }
      case Api::path_read: {
        auto path = is(func, "attribute") ? const_text(field(func, "object")) : std::nullopt;
        if (!path && !recv_kind.empty() && starts_with(recv_kind, "path:")) path = recv_kind.substr(5);
        if (path && is_secret_path(*path)) result.push_back(source(kSecret, n, "credential file " + clip(*path)));
        if (path) result.push_back(file_content(clip(*path), line));
        result.insert(result.end(), receiver.begin(), receiver.end());
        return result;
      }
      case Api::path_write: {
        auto path = is(func, "attribute") ? const_text(field(func, "object")) : std::nullopt;
        Terms data = a.pos_terms.empty() ? Terms{} : a.pos_terms[0];
        sink(Cap::file_write, n, std::string(method), data, receiver);
        if (path) sinks_.back().constant = clip(*path), write_file_content(clip(*path), data);
        return result;
      }
      case Api::list_dir: {
        auto path = const_text(a.arg(0));
        if (!path && is(func, "attribute")) path = const_text(field(func, "object"));
        if (path && is_secret_path(*path + "/")) result.push_back(source(kSecret, n, "credential folder " + clip(*path)));
        result.insert(result.end(), a.all.begin(), a.all.end());
        return result;
      }
      case Api::decoder: {
        result = all_with_receiver();
        result.push_back(Term{TermKind::bits, kDecoded, 0, line});
        return result;
      }
      case Api::http: {
        TSNode url = a.arg_or(0, "url");
        if (callee == "requests.request" || callee == "requests.api.request" || callee == "httpx.request" || method == "request") url = a.arg_or(1, "url");
        sink(Cap::net_send, n, callee.empty() ? std::string(method) : callee, all_with_receiver(), {}, url);
        const std::string& u = sinks_.back().constant;
        if (is_metadata_endpoint(u)) result.push_back(source(kSecret | kNetwork, n, "cloud credentials from " + u));
        else if (is_model_host(host_of(u))) {
          result.push_back(source(kHosted, n, "a response from " + u));
        } else {
          result.push_back(source(kNetwork, n, "a network response" + (u.empty() ? std::string() : " from " + u)));
        }
        if (kind != nullptr) *kind = "http";
        return result;
      }
      case Api::download_file: {
        TSNode url = a.arg_or(0, "url");
        sink(Cap::net_send, n, callee, a.all, {}, url);
        const std::string from = sinks_.back().constant;
        auto dest = const_text(a.arg_or(1, callee == "wget.download" ? "out" : "filename"));
        Terms net{source((is_model_host(host_of(from)) ? kHosted : kNetwork) | kDownload, n, "a file downloaded" + (from.empty() ? std::string() : " from " + from))};
        sink(Cap::file_write, n, callee, net, a.pos_terms.size() > 1 ? a.pos_terms[1] : Terms{});
        if (dest) sinks_.back().constant = clip(*dest), write_file_content(clip(*dest), net);
        result = net;
        return result;
      }
      case Api::socket_new:
        result.push_back(source(kSocket, n, "a socket"));
        if (kind != nullptr) *kind = "socket";
        return result;
      case Api::socket_connect: {
        TSNode addr = is(func, "attribute") && recv_kind == "socket" ? a.arg(0) : a.arg_or(0, "address");
        sink(Cap::net_connect, n, callee.empty() ? std::string(method) : callee, a.all, {}, addr);
        result.push_back(source(kSocket, n, "a socket connected" + (sinks_.back().constant.empty() ? std::string() : " to " + sinks_.back().constant)));
        result.insert(result.end(), receiver.begin(), receiver.end());
        if (kind != nullptr) *kind = "socket";
        return result;
      }
      case Api::dns: {
        sink(Cap::net_send, n, callee, a.all, {}, a.arg(0));
        sinks_.back().api = callee + " (DNS query)";
        result = a.all;
        return result;
      }
      case Api::mail: {
        if (method == "sendmail" || method == "send_message" || method == "storbinary" || method == "storlines") {
          sink(Cap::net_send, n, std::string(method), all_with_receiver(), {});
        } else {
          sink(Cap::net_connect, n, callee, a.all, {}, a.arg(0));
          if (kind != nullptr) *kind = "smtp";
        }
        return result;
      }
      case Api::process: return process(n, callee, a, line);
      case Api::dup2:
        sink(Cap::fd_redirect, n, callee, a.pos_terms.empty() ? Terms{} : a.pos_terms[0], {});
        return result;
      case Api::exec: {
        TSNode code = a.arg_or(0, callee == "runpy.run_path" ? "path_name" : "source");
        Terms data = a.pos_terms.empty() ? Terms{} : a.pos_terms[0];
        if (callee == "runpy.run_path" || callee == "execfile") {
          if (auto p = const_text(code)) data.push_back(file_content(clip(*p), line));
        }
        sink(Cap::exec, n, callee, data, {}, code);
        if (auto v = ce_.eval(code); v && v->is_text() && callee != "runpy.run_path" && callee != "runpy.run_module" && callee != "execfile") {
          payload(n, "python", *v, callee);  // code the file runs: analysed as code at this line
          if (v->decoded) sinks_.back().data_terms.push_back(Term{TermKind::bits, kDecoded, 0, line});
        }
        result = data;
        return result;
      }
      case Api::import_code: {
        Terms data;
        TSNode target = a.arg(0);
        if (callee == "imp.load_source" || callee == "imp.load_compiled" || callee == "importlib.util.spec_from_file_location" ||
            callee == "importlib.machinery.SourceFileLoader" || callee == "importlib.machinery.SourcelessFileLoader") {
          target = a.arg_or(1, "location");
          data = a.terms_of(1, "location");
          if (auto p = const_text(target)) data.push_back(file_content(clip(*p), line));
        } else if (method == "exec_module" || method == "load_module") {
          data = all_with_receiver();
        } else {
          data = a.pos_terms.empty() ? Terms{} : a.pos_terms[0];
        }
        sink(Cap::import_code, n, callee.empty() ? std::string(method) : callee, data, {}, target);
        result = data;
        if (kind != nullptr && !sinks_.back().constant.empty()) *kind = "";
        return result;
      }
      case Api::deserialize: {
        Terms data = a.pos_terms.empty() ? a.all : a.pos_terms[0];
        sink(Cap::deserialize, n, callee, data, {}, a.arg(0));
        const auto v = ce_.eval(a.arg(0));
        const std::string_view c = callee;
        sinks_.back().restricted = restricted_loader(c, a);
        if (v && v->is_text()) {
          if (c.find("pickle") != std::string_view::npos || starts_with(c, "dill.") || starts_with(c, "cloudpickle.") || starts_with(c, "joblib.")) {
            payload(n, "pickle", *v, callee);
          }
        }
        result = data;
        // Objects rebuilt from bytes the code carries (or marshalled code) are hidden content; a
        // YAML or JSON file of the repository parsed into a dict is only the repository's config.
        if ((v && v->is_text()) || starts_with(c, "marshal.")) result.push_back(Term{TermKind::bits, kDecoded, 0, line});
        return result;
      }
      case Api::native_load: {
        Terms data = a.pos_terms.empty() ? a.all : a.pos_terms[0];
        if (auto p = const_text(a.arg(0))) data.push_back(file_content(clip(*p), line));
        sink(Cap::native_load, n, callee.empty() ? std::string(method) : callee, data, {}, a.arg(0));
        return result;
      }
      case Api::chmod: {
        auto mode = ce_.eval(a.arg_or(1, "mode"));
        const bool exec_bits = mode && mode->kind == CVal::Kind::integer && (mode->i & 0111) != 0;
        const bool unknown = !mode;
        if (exec_bits || unknown) {
          Terms data = a.pos_terms.empty() ? Terms{} : a.pos_terms[0];
          TSNode p = a.arg_or(0, "path");
          if (auto path = const_text(p)) data.push_back(file_content(clip(*path), line));
          sink(Cap::make_exec, n, callee, data, {}, p);
        }
        return result;
      }
      case Api::copy_file: {
        Terms data = a.pos_terms.empty() ? Terms{} : a.pos_terms[0];
        if (auto src = const_text(a.arg(0))) data.push_back(file_content(clip(*src), line));
        sink(Cap::file_write, n, callee, data, a.pos_terms.size() > 1 ? a.pos_terms[1] : Terms{}, a.arg(1));
        if (!sinks_.back().constant.empty()) write_file_content(sinks_.back().constant, data);
        return result;
      }
      case Api::capture: {
        if (kind != nullptr && callee == "mss.mss") *kind = "capture";
        sink(Cap::capture, n, callee.empty() ? std::string(method) : callee, {}, {});
        result.push_back(source(kCapture, n, "captured input (" + (callee.empty() ? std::string(method) : callee) + ")"));
        // A listener's callback receives the keystrokes.
        callbacks(n, a, kCapture);
        return result;
      }
      case Api::callback: {
        callbacks(n, a, 0);
        result = all_with_receiver();
        return result;
      }
      case Api::registry_write: {
        Terms data = a.all;
        sink(Cap::file_write, n, callee, data, {}, a.arg(1));
        if (auto key = const_text(a.arg(0))) sinks_.back().constant = clip(*key + "\\" + sinks_.back().constant);
        return result;
      }
      case Api::inject: {
        sink(Cap::inject, n, callee.empty() ? std::string(method) : callee, a.all, {});
        return result;
      }
      case Api::pip_main: {
        sink(Cap::install, n, callee, a.all, {}, a.arg(0));
        return result;
      }
      case Api::none: break;
    }

    // Methods that store their arguments in the object: `_buf.append(key)`.
    if (!method.empty() && (method == "append" || method == "extend" || method == "insert" || method == "add" || method == "update" ||
                            method == "setdefault" || method == "appendleft")) {
      TSNode root = field(func, "object");
      if (is(root, "attribute") && starts_with(tree_.text(root), "self.")) {
        auto [scope, name] = attr_slot(tree_.text(root));
        add(var(scope, name), a.all);
      } else {
        while (is(root, "subscript") || is(root, "attribute")) root = is(root, "subscript") ? field(root, "value") : field(root, "object");
        if (is(root, "identifier")) write_into(std::string(tree_.text(root)), a.all);
      }
    }
    // Methods on sockets and files made here, or with names that mean sending or receiving.
    if (!method.empty()) {
      const bool socket_like = recv_kind == "socket" || (recv_kind.empty() && socket_named(func));
      if (is_socket_send(method) && (socket_like || (recv_kind.empty() && method != "send"))) {
        sink(Cap::net_send, n, "socket." + std::string(method), a.all, {}, {});
        return result;
      }
      if (is_socket_recv(method) && socket_like) {
        result.push_back(source(kNetwork, n, "data received on a socket"));
        result.insert(result.end(), receiver.begin(), receiver.end());
        return result;
      }
      if (recv_kind == "socket" && (method == "connect" || method == "connect_ex")) {
        sink(Cap::net_connect, n, "socket.connect", a.all, {}, a.arg(0));
        return result;
      }
      if (is_file_write(method) && starts_with(recv_kind, "file:w:")) {
        const std::string path = recv_kind.substr(7);
        Terms data = a.pos_terms.empty() ? Terms{} : a.pos_terms[0];
        sink(Cap::file_write, n, "write", data, receiver);
        sinks_.back().constant = path;
        write_file_content(path, data);
        return result;
      }
      if ((method == "read" || method == "readlines" || method == "readline") && starts_with(recv_kind, "file:r:")) {
        result = receiver;
        return result;
      }
    }
    // A query of a browser's credential store (Chrome's logins, cookies, cards; Firefox's moz_logins).
    if (method == "execute" && !a.pos.empty()) {
      if (auto q = const_text(a.pos[0]); q && is_credential_query(*q)) {
        result.push_back(source(kSecret, n, "a query of a browser credential store"));
        result.insert(result.end(), receiver.begin(), receiver.end());
        return result;
      }
    }
    // Containers filled piece by piece (`out.append(b ^ k)`) hold what goes in.
    if ((method == "append" || method == "extend" || method == "insert" || method == "add" || method == "update" ||
         method == "appendleft") && is(field(func, "object"), "identifier")) {
      add(var(cur_, std::string(tree_.text(field(func, "object")))), a.all);
    }
    // A wrapper library started with an interpreter or shell: `command.run(["python", "-c", code])`.
    if (!a.pos.empty() && (is(a.pos[0], "list") || is(a.pos[0], "tuple")) && ts_node_named_child_count(a.pos[0]) > 0) {
      if (auto first = const_text(ts_node_named_child(a.pos[0], 0))) {
        const std::string prog = to_lower(*first);
        if (prog == "python" || prog == "python3" || prog == "bash" || prog == "sh" || prog == "/bin/sh" || prog == "/bin/bash" ||
            prog == "powershell" || prog == "cmd" || prog == "cmd.exe" || prog == "pwsh") {
          sink(Cap::process, n, callee.empty() ? std::string(method) : callee, a.pos_terms[0], {}, a.pos[0]);
        }
      }
    }
    if (callee == "map" && !a.pos.empty() && (tree_.text(a.pos[0]) == "chr" || tree_.text(a.pos[0]) == "ord")) {
      result = a.all;
      result.push_back(Term{TermKind::bits, kDecoded, 0, line});
      return result;
    }
    if (callee == "d3dshot.create") {
      if (kind != nullptr) *kind = "capture";
      sink(Cap::capture, n, callee, {}, {});
      return all_with_receiver();
    }
    if (callee == "dns.resolver.Resolver" || callee == "aiodns.DNSResolver" || callee == "dns.asyncresolver.Resolver") {
      if (kind != nullptr) *kind = "dns";
      return all_with_receiver();
    }
    if (recv_kind == "dns" && (method == "query" || method == "resolve" || method == "gethostbyname")) {
      sink(Cap::net_send, n, "DNS query (" + std::string(method) + ")", a.all, {}, a.arg(0));
      return a.all;
    }
    // getattr(builtins, <decoded or computed name>) hands out a dangerous function without
    // naming it: the lookup itself is the tell, even before the call.
    if ((callee == "getattr" || ends_with(callee, ".__getattribute__") || ends_with(callee, ".get")) && !a.pos.empty()) {
      TSNode name = callee == "getattr" ? a.arg(1) : a.arg(0);
      if (!ts_node_is_null(name) && !is(name, "string")) {
        if (auto v = ce_.eval(n); v && v->kind == CVal::Kind::ref) {
          const Api target = api_of(v->s);
          if (target == Api::exec || target == Api::process || target == Api::native_load) {
            sink(Cap::exec, n, v->s, {}, {});
            sinks_.back().hidden_name = true;
            return result;
          }
        }
      }
    }
    if (recv_kind == "capture" && !method.empty()) {
      sink(Cap::capture, n, "screen capture (" + std::string(method) + ")", {}, {});
      result.push_back(source(kCapture, n, "a screen capture"));
      return result;
    }
    if (is_http_client(callee)) {
      if (kind != nullptr) *kind = "http";
      return all_with_receiver();
    }

    // Anything else: maybe repository code. The call site links through the call graph; when it
    // resolves to nothing, its value carries its arguments and receiver.
    const std::string r = callee_ref(func, callee);
    if (r.empty()) return all_with_receiver();
    CallDraft cs;
    cs.scope = cur_;
    cs.ref = r;
    cs.line = line;
    cs.unknown_receiver = receiver_is_unknown(func);
    if (is(func, "identifier")) {
      const std::string name = to_lower(tree_.text(func));
      cs.decoder_name = name == "decode" || name == "decrypt" || name == "deobfuscate" || name == "unobfuscate" || name == "b64d" ||
                        name == "unhex" || name == "xor_decode" || name == "decode_payload";
    }
    cs.args = std::move(a.pos_terms);
    cs.kwargs = std::move(a.kw_terms);
    cs.receiver = std::move(receiver);
    calls_.push_back(std::move(cs));
    result.push_back(Term{TermKind::call, static_cast<std::uint32_t>(calls_.size() - 1), 0, line});
    return result;
  }

  // Thread(target=f, args=(...)), Timer(t, f, args), atexit.register(f, *args), pool.submit(f, *a):
  // a call of f with those arguments. `extra` is what the callback receives (keystrokes).
  void callbacks(TSNode n, const Args& a, std::uint32_t extra) {
    TSNode target = a.keyword("target");
    std::size_t first_arg = 0;
    if (ts_node_is_null(target)) target = a.keyword("function");
    if (ts_node_is_null(target)) target = a.keyword("on_press");
    if (ts_node_is_null(target)) target = a.keyword("callback");
    if (ts_node_is_null(target)) {
      // The first positional argument that names a function.
      for (std::size_t i = 0; i < a.pos.size(); ++i) {
        if (is(a.pos[i], "identifier") || is(a.pos[i], "attribute")) {
          target = a.pos[i];
          first_arg = i + 1;
          break;
        }
      }
    }
    if (ts_node_is_null(target) || !(is(target, "identifier") || is(target, "attribute"))) return;
    CallDraft cs;
    cs.scope = cur_;
    cs.ref = callee_ref(target, names_.qualname(tree_, target));
    cs.line = py::line_of(n);
    cs.callback = true;
    TSNode args = a.keyword("args");
    if (!ts_node_is_null(args) && (is(args, "tuple") || is(args, "list"))) {
      for (TSNode e : py::named_children(args)) cs.args.push_back(expr(e, 0));
    } else {
      for (std::size_t i = first_arg; i < a.pos.size(); ++i) cs.args.push_back(a.pos_terms[i]);
    }
    if (extra != 0) cs.args.insert(cs.args.begin(), Terms{Term{TermKind::source, static_cast<std::uint32_t>(m_.sources.size() - 1), 0, cs.line}});
    if (!cs.ref.empty()) calls_.push_back(std::move(cs));
  }

  // Whether a deserializer is told (or, in current releases, defaults) to rebuild plain data only.
  std::uint8_t restricted_loader(std::string_view callee, const Args& a) const {
    auto flag = [&](std::string_view kw) -> std::optional<bool> {
      TSNode k = a.keyword(kw);
      if (ts_node_is_null(k)) return std::nullopt;
      return py::literal_truth(tree_, k);
    };
    if (ends_with(callee, "torch.load")) {
      const auto w = flag("weights_only");
      if (!w) return 2;
      return *w ? 1 : 0;
    }
    if (callee == "numpy.load" || callee == "np.load") return flag("allow_pickle").value_or(false) ? 0 : 1;
    if (starts_with(callee, "yaml.") && callee != "yaml.unsafe_load") {
      TSNode loader = a.arg_or(1, "Loader");
      const std::string l = ts_node_is_null(loader) ? std::string() : std::string(tree_.text(loader));
      return l.find("SafeLoader") != std::string::npos || l.find("BaseLoader") != std::string::npos ? 1 : 0;
    }
    return 0;
  }

  Terms process(TSNode n, const std::string& callee, const Args& a, std::uint32_t line) {
    // The command: first argument (or args=), for exec-family every argument.
    TSNode cmd = a.arg_or(0, "args");
    Terms data = a.terms_of(0, "args");
    if (starts_with(callee, "os.exec") || starts_with(callee, "os.spawn") || starts_with(callee, "os.posix_spawn")) {
      data = a.all;
      if (starts_with(callee, "os.spawn")) cmd = a.arg(1);
    }
    Terms stdio;
    for (std::string_view k : {"stdin", "stdout", "stderr"}) {
      Terms t = a.terms_of(99, k);
      stdio.insert(stdio.end(), t.begin(), t.end());
    }
    TSNode shell_kw = a.keyword("shell");
    const bool shell = callee == "os.system" || starts_with(callee, "os.popen") || callee == "subprocess.getoutput" ||
                       callee == "subprocess.getstatusoutput" || starts_with(callee, "commands.") || callee == "asyncio.create_subprocess_shell" ||
                       (!ts_node_is_null(shell_kw) && py::literal_truth(tree_, shell_kw).value_or(true));
    sink(Cap::process, n, callee, data, stdio, cmd, shell);
    const SinkDraft& s = sinks_.back();
    Terms result;
    if (!s.constant.empty()) {
      const std::string c = to_lower(s.constant);
      if (c.find("pip") != std::string::npos && c.find("install") != std::string::npos) {
        SinkDraft inst = s;
        inst.cap = Cap::install;
        sinks_.push_back(std::move(inst));
      }
      if (const std::uint32_t out = command_output(s.constant)) result.push_back(source(out, n, "the output of `" + clip(s.constant.substr(0, 80)) + "`"));
      if (std::string_view(c).find("chmod +x") != std::string_view::npos || std::string_view(c).find("chmod 7") != std::string_view::npos ||
          std::string_view(c).find("chmod 5") != std::string_view::npos) {
        SinkDraft ch = sinks_.back().cap == Cap::install ? sinks_[sinks_.size() - 2] : sinks_.back();
        ch.cap = Cap::make_exec;
        sinks_.push_back(std::move(ch));
      }
    }
    // A command that runs a downloaded file: its content is what runs.
    if (!s.constant.empty()) {
      for (auto piece : split(s.constant, ' ')) {
        if (piece.size() > 1 && (piece.front() == '/' || starts_with(piece, "./") || starts_with(piece, "~/"))) {
          sinks_.back().data_terms.push_back(file_content(std::string(piece.substr(starts_with(piece, "./") ? 2 : 0)), line));
        }
      }
    }
    return result;
  }

  struct Pending {
    std::uint32_t scope;
    std::string_view name;  // into the source, or into owned_
  };
  // A name that lives as long as the builder: source text as is, anything else copied once.
  std::string_view stable(std::string_view name) {
    const std::string_view src = tree_.source();
    if (name.data() >= src.data() && name.data() + name.size() <= src.data() + src.size()) return name;
    return owned_.emplace_back(name);
  }
  static constexpr std::uint32_t kPendingBit = 0x80000000u;

  const py::Tree& tree_;
  const py::NameTable& names_;
  ConstEval ce_;
  FileModel m_;  // scopes, sources and payloads as they come; the rest packed by finish()
  std::vector<VarDraft> vars_;
  std::vector<CallDraft> calls_;
  std::vector<SinkDraft> sinks_;
  std::vector<ScopeState> state_;
  std::vector<Pending> pending_;
  std::deque<std::string> owned_;
  struct PendingWrite {
    std::uint32_t scope;
    std::string name;
    Terms terms;
  };
  std::vector<PendingWrite> writes_;
  std::uint32_t cur_ = 0;
};

}  // namespace

FileModel build_model(const py::Tree& tree, const py::NameTable& names, std::string_view path) {
  Builder b(tree, names, path);
  return b.run();
}

}  // namespace mg::behaviour
