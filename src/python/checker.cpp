#include "python/checker.hpp"

#include <cctype>
#include <charconv>

namespace mg::py {

TSNode Call::keyword(std::string_view k) const {
  for (const auto& [kw, value] : keywords) {
    if (kw == k) return value;
  }
  return TSNode{};
}

TSNode Call::arg_or_keyword(std::size_t pos, std::string_view k) const {
  const TSNode v = keyword(k);
  return ts_node_is_null(v) ? arg(pos) : v;
}

Call decode_call(const Tree& tree, const NameTable& names, TSNode call) {
  Call c;
  c.node = call;
  c.func = field(call, "function");
  c.qualname = names.call_qualname(tree, call);
  const auto dot = c.qualname.rfind('.');
  c.name = dot == std::string::npos ? std::string_view(c.qualname) : std::string_view(c.qualname).substr(dot + 1);
  const TSNode args = field(call, "arguments");
  if (is(args, "generator_expression")) {
    c.args.push_back(args);
    return c;
  }
  for (const TSNode a : named_children(args)) {
    switch (type_index(a)) {
      case type_id("keyword_argument"): c.keywords.emplace_back(tree.text(field(a, "name")), field(a, "value")); break;
      case type_id("list_splat"): c.star_args = true; break;
      case type_id("dictionary_splat"): c.star_kwargs = true; break;
      case type_id("comment"): break;
      default: c.args.push_back(a);
    }
  }
  return c;
}

TSNode Checker::parent(TSNode n) const {
  if (ancestors_ != nullptr) {
    for (std::size_t i = ancestors_->size(); i-- > 0;) {
      if (ts_node_eq((*ancestors_)[i], n)) return i > 0 ? (*ancestors_)[i - 1] : TSNode{};
    }
  }
  return ts_node_parent(n);
}

void Checker::report(std::string_view rule_id, TSNode at, std::string message) {
  report_line(rule_id, at, line_of(at), std::move(message));
}

void Checker::report(std::string_view rule_id, TSNode at, std::string message, Severity s, Confidence c) {
  report_line(rule_id, at, line_of(at), std::move(message), s, c);
}

void Checker::report_line(std::string_view rule_id, TSNode at, std::uint32_t line, std::string message,
                          std::optional<Severity> s, std::optional<Confidence> c) {
  Hit h;
  h.rule_id = std::string(rule_id);
  h.line = line;
  h.column = line == line_of(at) ? column_of(at) : 1;
  h.last_line = ts_node_end_point(at).row + 1;
  h.message = std::move(message);
  h.severity = s;
  h.confidence = c;
  hits_.push_back(std::move(h));
}

namespace {
TSNode unparen(TSNode n) {
  for (int i = 0; i < 64 && is(n, "parenthesized_expression") && ts_node_named_child_count(n) == 1; ++i) {
    n = ts_node_named_child(n, 0);
  }
  return n;
}
}  // namespace

std::optional<long long> literal_int(const Tree& tree, TSNode n) {
  n = unparen(n);
  bool neg = false;
  if (is(n, "unary_operator")) {
    const std::string_view op = tree.text(field(n, "operator"));
    if (op != "-" && op != "+") return std::nullopt;
    neg = op == "-";
    n = unparen(field(n, "argument"));
  }
  if (!is(n, "integer")) return std::nullopt;
  std::string digits;
  for (char ch : tree.text(n)) {
    if (ch != '_') digits += ch;
  }
  if (!digits.empty() && (digits.back() == 'L' || digits.back() == 'l')) digits.pop_back();
  int base = 10;
  std::string_view body(digits);
  if (body.size() > 2 && body[0] == '0') {
    const char p = static_cast<char>(body[1] | 0x20);
    if (p == 'x') base = 16;
    else if (p == 'o') base = 8;
    else if (p == 'b') base = 2;
    if (base != 10) body.remove_prefix(2);
  }
  if (base == 10 && body.size() > 1 && body[0] == '0') base = 8;  // Python 2 octal: 0777
  long long v = 0;
  auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), v, base);
  if (ec != std::errc() || p != body.data() + body.size()) return std::nullopt;
  return neg ? -v : v;
}

std::optional<bool> literal_truth(const Tree& tree, TSNode n) {
  n = unparen(n);
  if (is(n, "true")) return true;
  if (is(n, "false") || is(n, "none")) return false;
  if (is(n, "integer")) {
    if (auto v = literal_int(tree, n)) return *v != 0;
    return true;
  }
  if (is(n, "float")) {
    for (char ch : tree.text(n)) {
      if (ch >= '1' && ch <= '9') return true;
    }
    return false;
  }
  if (is(n, "list") || is(n, "dictionary") || is(n, "tuple") || is(n, "set")) return ts_node_named_child_count(n) > 0;
  if (is(n, "string") || is(n, "concatenated_string")) {
    if (auto s = string_value(tree, n)) return !s->empty();
    return std::nullopt;
  }
  if (is(n, "identifier")) {  // Python 2 spelt the constants as names
    const auto t = tree.text(n);
    if (t == "True") return true;
    if (t == "False" || t == "None") return false;
  }
  return std::nullopt;
}

bool is_string_literal(TSNode n) {
  n = unparen(n);
  return is(n, "string") || is(n, "concatenated_string");
}

bool is_fstring(const Tree& tree, TSNode n) {
  n = unparen(n);
  if (is(n, "concatenated_string")) {
    for (TSNode c : named_children(n)) {
      if (is_fstring(tree, c)) return true;
    }
    return false;
  }
  if (!is(n, "string")) return false;
  for (char ch : tree.text(n)) {
    if (ch == '\'' || ch == '"') break;
    if (ch == 'f' || ch == 'F') return true;
  }
  return false;
}

bool import_matches(const ImportRecord& rec, std::initializer_list<std::string_view> modules) {
  const std::string q = rec.qualified();
  for (std::string_view m : modules) {
    if (rec.kind == ImportKind::dynamic ? q == m : std::string_view(q).substr(0, m.size()) == m) return true;
  }
  return false;
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> set) {
  for (std::string_view x : set) {
    if (s == x) return true;
  }
  return false;
}

std::optional<std::string> bandit_value(const Tree& tree, TSNode n) {
  n = unparen(n);
  if (is(n, "attribute")) return std::string(tree.text(field(n, "attribute")));
  if (is(n, "identifier") || is(n, "true") || is(n, "false") || is(n, "none") || is(n, "integer") || is(n, "float")) {
    return std::string(tree.text(n));
  }
  return string_value(tree, n);
}

std::uint32_t keyword_line(const Call& call, std::string_view k) {
  const TSNode v = call.keyword(k);
  return ts_node_is_null(v) ? line_of(call.node) : line_of(v);
}

TSNode sole_statement_of_broad_handler(const Checker& c, TSNode n) {
  TSNode type = field(n, "value");
  if (is(type, "as_pattern")) type = ts_node_named_child(type, 0);  // except Exception as e:
  if (!ts_node_is_null(type) && !(is(type, "identifier") && c.text(type) == "Exception")) return {};
  TSNode body{};
  for (TSNode ch : named_children(n)) {
    if (is(ch, "block")) body = ch;
  }
  if (ts_node_is_null(body)) return {};
  TSNode only{};
  int statements = 0;
  for (TSNode s : named_children(body)) {
    if (is(s, "comment")) continue;
    ++statements;
    only = s;
  }
  return statements == 1 ? only : TSNode{};
}

namespace {

// One '_'-separated word of a name against Bandit's alternatives
// pas+wo?r?d | pass(phrase)? | pwd | token | secrete? (case-insensitive).
bool is_password_word(std::string_view w) {
  std::string lower(w);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "pass" || lower == "passphrase" || lower == "pwd" || lower == "token" || lower == "secret" || lower == "secrete") return true;
  if (lower.size() < 5 || lower.compare(0, 2, "pa") != 0) return false;
  std::size_t i = 2;
  while (i < lower.size() && lower[i] == 's') ++i;
  if (i == 2 || i >= lower.size() || lower[i] != 'w') return false;
  ++i;
  if (i < lower.size() && lower[i] == 'o') ++i;
  if (i < lower.size() && lower[i] == 'r') ++i;
  return i + 1 == lower.size() && lower[i] == 'd';
}

}  // namespace

// Bandit's regex (^W$ | _W_ | ^W_ | _W$, W the alternatives above) is the same as: some word of
// the name between underscores or its ends is W. Matched by hand: this runs on every string
// assignment and comparison, where std::regex was a measurable share of the stage.
bool is_password_name(std::string_view name) {
  if (name.size() > 256) return false;  // hostile identifiers
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = name.find('_', start);
    const std::string_view word = name.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (is_password_word(word)) return true;
    if (end == std::string_view::npos) return false;
    start = end + 1;
  }
}

}  // namespace mg::py
