#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (!one_of(call.qualname, {"markupsafe.Markup", "flask.Markup", "jinja2.Markup"}) || call.args.empty()) return;
  if (is_string_literal(call.args[0]) && !is_fstring(c.tree(), call.args[0])) return;
  c.report("PY704", call.node, "Markup on a computed value disables escaping (XSS)");
}
}  // namespace

extern const RuleSpec kRule_PY704{.id = "PY704", .call_names = "Markup", .on_call = check};

}  // namespace mg::py
