#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname != "numpy.load") return;
  const TSNode a = call.keyword("allow_pickle");
  if (ts_node_is_null(a)) return;  // the default has been False since numpy 1.16.3
  const auto v = literal_truth(c.tree(), a);
  if (v && !*v) return;
  c.report("PY801", call.node, "numpy.load with allow_pickle enabled unpickles object arrays: loading the file can run code");
}
}  // namespace

extern const RuleSpec kRule_PY801{.id = "PY801", .call_names = "load", .on_call = check};

}  // namespace mg::py
