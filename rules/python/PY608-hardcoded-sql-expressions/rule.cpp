#include <cstdio>
#include <regex>

#include "python/checker.hpp"

namespace mg::py {
namespace {
bool looks_like_sql(std::string_view s) {
  std::string low(s);
  for (auto& ch : low) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  if (low.find("select") == std::string::npos && low.find("delete") == std::string::npos &&
      low.find("insert") == std::string::npos && low.find("update") == std::string::npos) {
    return false;
  }
  static const std::regex re(
      R"((select\s[\s\S]*from\s|delete\s+from\s|insert\s+into\s[\s\S]*values\s|update\s[\s\S]*set\s))",
      std::regex::optimize);
  return std::regex_search(low, re);
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
