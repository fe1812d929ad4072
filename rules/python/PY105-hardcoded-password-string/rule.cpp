#include "python/checker.hpp"

namespace mg::py {
namespace {
std::string_view target_name(const Checker& c, TSNode n) {
  if (is(n, "identifier")) return c.text(n);
  if (is(n, "attribute")) return c.text(field(n, "attribute"));
  return {};
}

void check(Checker& c, TSNode n, std::string_view value) {
  const TSNode p = c.parent(n);
  if (is(p, "assignment") && ts_node_eq(field(p, "right"), n)) {
    // password = "..."
    const auto name = target_name(c, field(p, "left"));
    if (!name.empty() && is_password_name(name)) c.report("PY105", n, "possible hard-coded password in " + std::string(name));
  } else if (is(p, "subscript") && is_password_name(value)) {
    // cfg["password"] = "..."
    const TSNode a = c.parent(p);
    if (is(a, "assignment") && ts_node_eq(field(a, "left"), p) && is_string_literal(field(a, "right"))) {
      c.report("PY105", n, "possible hard-coded password in [" + std::string(value) + "]");
    }
  } else if (is(p, "comparison_operator") && ts_node_named_child_count(p) == 2 && ts_node_eq(ts_node_named_child(p, 1), n)) {
    // if password == "...":
    const TSNode left = ts_node_named_child(p, 0);
    if (is(left, "identifier") && is_password_name(c.text(left))) {
      c.report("PY105", n, "possible hard-coded password compared with " + std::string(c.text(left)));
    }
  }
}
}  // namespace

extern const RuleSpec kRule_PY105{.id = "PY105", .on_string = check};

}  // namespace mg::py
