#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname != "django.utils.safestring.mark_safe" || call.args.empty()) return;
  if (is_string_literal(call.args[0]) && !is_fstring(c.tree(), call.args[0])) return;
  c.report("PY703", call.node, "mark_safe on a computed value disables escaping (XSS)");
}
}  // namespace

extern const RuleSpec kRule_PY703{.id = "PY703", .call_names = "mark_safe", .on_call = check};

}  // namespace mg::py
