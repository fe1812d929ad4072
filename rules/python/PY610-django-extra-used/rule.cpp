#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  static constexpr std::string_view kPositional[] = {"select", "where", "params", "tables", "order_by", "select_params"};
  const auto value = [&](std::string_view k) -> TSNode {
    for (std::size_t i = 0; i < call.args.size() && i < 6; ++i) {
      if (kPositional[i] == k) return call.args[i];
    }
    return call.keyword(k);
  };
  bool insecure = false;
  for (std::string_view k : {"where", "tables"}) {
    const TSNode v = value(k);
    if (ts_node_is_null(v)) continue;
    if (is(v, "list")) {
      for (TSNode e : named_children(v)) {
        if (!is_string_literal(e)) insecure = true;
      }
    } else {
      insecure = true;
    }
    if (insecure) break;
  }
  const TSNode select = value("select");
  if (!insecure && !ts_node_is_null(select)) {
    if (is(select, "dictionary")) {
      for (TSNode pair : named_children(select)) {
        if (!is(pair, "pair") || !is_string_literal(field(pair, "key")) || !is_string_literal(field(pair, "value"))) insecure = true;
      }
    } else {
      insecure = true;
    }
  }
  if (insecure) c.report("PY610", call.node, "QuerySet.extra with computed SQL: possible SQL injection");
}
}  // namespace

extern const RuleSpec kRule_PY610{.id = "PY610", .call_names = "extra", .on_call = check};

}  // namespace mg::py
