#include <cstdio>

#include "python/checker.hpp"

namespace mg::py {
namespace {
bool is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }

// Position just past the first `word` followed by whitespace at or after `from`, or npos.
std::size_t word_then_space(const std::string& s, std::string_view word, std::size_t from) {
  for (std::size_t p = s.find(word, from); p != std::string::npos; p = s.find(word, p + 1)) {
    const std::size_t e = p + word.size();
    if (e < s.size() && is_space(s[e])) return e + 1;
  }
  return std::string::npos;
}

// Bandit's SQL heuristic (select..from, delete from, insert into..values, update..set; case-
// insensitive, anywhere in the text), evaluated in linear time instead of with a backtracking regex.
bool looks_like_sql(std::string_view text) {
  std::string s(text);
  for (auto& ch : s) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  constexpr auto npos = std::string::npos;
  if (const auto p = word_then_space(s, "select", 0); p != npos && word_then_space(s, "from", p) != npos) return true;
  if (const auto p = word_then_space(s, "update", 0); p != npos && word_then_space(s, "set", p) != npos) return true;
  for (std::size_t p = s.find("delete"); p != npos; p = s.find("delete", p + 1)) {
    std::size_t e = p + 6, k = e;
    while (k < s.size() && is_space(s[k])) ++k;
    if (k > e && s.compare(k, 4, "from") == 0 && k + 4 < s.size() && is_space(s[k + 4])) return true;
  }
  for (std::size_t p = s.find("insert"); p != npos; p = s.find("insert", p + 1)) {
    std::size_t e = p + 6, k = e;
    while (k < s.size() && is_space(s[k])) ++k;
    if (k > e && s.compare(k, 4, "into") == 0 && k + 4 < s.size() && is_space(s[k + 4])) {
      if (word_then_space(s, "values", k + 5) != npos) return true;
    }
  }
  return false;
}

bool is_execute_call(const Checker& c, TSNode n) {
  if (!is(n, "call")) return false;
  const std::string q = c.names().call_qualname(c.tree(), n);
  const std::string_view last = std::string_view(q).substr(q.rfind('.') == std::string::npos ? 0 : q.rfind('.') + 1);
  return last == "execute" || last == "executemany";
}

TSNode call_of_argument(const Checker& c, TSNode n) {
  TSNode p = c.parent(n);
  if (is(p, "argument_list")) return c.parent(p);
  return TSNode{};
}

void report(Checker& c, TSNode at, bool in_execute) {
  c.report("PY608", at, "SQL built from strings: possible SQL injection", Severity::medium,
           in_execute ? Confidence::medium : Confidence::low);
}

void on_fstring(Checker& c, TSNode n);

// `%` / `+` chains: checked once, at the outermost operator, on the text of all literal pieces.
void on_binop(Checker& c, TSNode top) {
  if (is(c.parent(top), "binary_operator")) return;
  std::string statement;
  TSNode first{};
  std::vector<TSNode> todo{top};
  for (int budget = 256; !todo.empty() && budget > 0; --budget) {
    const TSNode cur = todo.back();
    todo.pop_back();
    if (is(cur, "binary_operator")) {
      todo.push_back(field(cur, "right"));
      todo.push_back(field(cur, "left"));
    } else if (is_string_literal(cur) && !is_fstring(c.tree(), cur)) {
      if (auto s = string_value(c.tree(), cur)) {
        if (ts_node_is_null(first)) first = cur;
        statement += *s;
      }
    }
  }
  if (!ts_node_is_null(first) && looks_like_sql(statement)) report(c, first, is_execute_call(c, call_of_argument(c, top)));
}

// "...".format(...)
void on_string(Checker& c, TSNode n, std::string_view value) {
  const TSNode p = c.parent(n);
  if (is(p, "attribute") && c.text(field(p, "attribute")) == "format") {
    if (looks_like_sql(value)) report(c, n, is_execute_call(c, call_of_argument(c, c.parent(p))));
  }
}

void on_node(Checker& c, TSNode n) {
  if (is(n, "binary_operator")) on_binop(c, n);
  else on_fstring(c, n);
}

void on_fstring(Checker& c, TSNode n) {
  if (!is(n, "string")) return;
  if (!is_fstring(c.tree(), n)) return;
  std::string statement;
  for (TSNode part : named_children(n)) {
    if (is(part, "string_content")) statement += c.text(part);
  }
  if (looks_like_sql(statement)) report(c, n, is_execute_call(c, call_of_argument(c, n)));
}
}  // namespace

extern const RuleSpec kRule_PY608{.id = "PY608", .node_types = "string binary_operator", .on_node = on_node, .on_string = on_string};

}  // namespace mg::py
