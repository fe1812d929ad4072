#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (!c.imported_like("django.db.models") || call.args.empty()) return;
  if (!is_string_literal(call.args[0]) || is_fstring(c.tree(), call.args[0])) {
    c.report("PY611", call.node, "RawSQL with computed SQL: possible SQL injection");
  }
}
}  // namespace

extern const RuleSpec kRule_PY611{.id = "PY611", .call_names = "RawSQL", .on_call = check};

}  // namespace mg::py
