#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (!one_of(call.qualname, {"torch.load", "torch.serialization.load"})) return;
  if (!c.imported_like("torch")) return;
  const TSNode w = call.keyword("weights_only");
  if (!ts_node_is_null(w) && literal_truth(c.tree(), w).value_or(false)) return;
  c.report("PY614", call.node, call.qualname + " without weights_only=True unpickles the checkpoint: loading it can run code");
}
}  // namespace

extern const RuleSpec kRule_PY614{.id = "PY614", .call_names = "load", .on_call = check};

}  // namespace mg::py
