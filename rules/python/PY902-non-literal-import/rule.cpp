#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (!one_of(call.qualname, {"importlib.import_module", "importlib.__import__", "__import__"})) return;
  const TSNode a = call.arg_or_keyword(0, "name");
  if (ts_node_is_null(a) || c.literal(a)) return;
  c.report("PY902", call.node, call.qualname + " of a computed module name: what gets imported is decided at run time");
}
}  // namespace

extern const RuleSpec kRule_PY902{.id = "PY902", .call_names = "import_module __import__", .on_call = check};

}  // namespace mg::py
