#include "python/checker.hpp"
#include "rules/python/common/behaviour.hpp"

namespace mg::py {
namespace {
using namespace behaviour;

void check(Checker& c, const Call& call) {
  if (!one_of(call.qualname, {"exec", "eval", "compile", "builtins.exec", "builtins.eval", "builtins.compile"})) return;
  const TSNode a = call.arg(0);
  if (ts_node_is_null(a)) return;
  const bool direct = has_call(c, a, is_downloader);
  const bool via_name = !direct && is(a, "identifier") && assigned_from(c, enclosing_scope(c, call.node), c.text(a), is_downloader);
  if (!direct && !via_name) return;
  c.report("PY951", call.node, call.qualname + " of data fetched from the network: whoever serves that URL decides what runs");
}
}  // namespace

extern const RuleSpec kRule_PY951{.id = "PY951", .call_names = "exec eval compile", .on_call = check};

}  // namespace mg::py
