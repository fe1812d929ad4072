#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname.find("jinja2") == std::string::npos) return;
  const TSNode a = call.keyword("autoescape");
  if (ts_node_is_null(a)) {
    if (call.star_kwargs) return;
    c.report("PY701", call.node, "jinja2 Environment without autoescape: templates render unescaped (XSS)", Severity::high, Confidence::high);
    return;
  }
  const auto truth = literal_truth(c.tree(), a);
  if (truth && !*truth) {
    c.report("PY701", call.node, "jinja2 Environment with autoescape=False: templates render unescaped (XSS)", Severity::high, Confidence::high);
    return;
  }
  if (truth && *truth) return;
  if (is(a, "call")) {
    const std::string q = c.names().call_qualname(c.tree(), a);
    if (q == "select_autoescape" || (q.size() >= 18 && q.compare(q.size() - 18, 18, ".select_autoescape") == 0)) return;
  }
  c.report("PY701", call.node, "jinja2 Environment with a computed autoescape value", Severity::high, Confidence::medium);
}
}  // namespace

extern const RuleSpec kRule_PY701{.id = "PY701", .call_names = "Environment", .on_call = check};

}  // namespace mg::py
