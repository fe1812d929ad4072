#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname == "torch.hub.load") {
    const TSNode src = call.keyword("source");
    if (!ts_node_is_null(src)) {
      if (const auto s = c.literal(src); s && *s == "local") return;
    }
    c.report("PY809", call.node, "torch.hub.load imports hubconf.py from a GitHub repository and runs it");
  } else if (call.qualname == "torch.hub.load_state_dict_from_url") {
    const TSNode w = call.keyword("weights_only");
    if (!ts_node_is_null(w) && literal_truth(c.tree(), w).value_or(false)) return;
    c.report("PY809", call.node, "torch.hub.load_state_dict_from_url downloads and torch.loads a checkpoint without weights_only=True",
             Severity::medium, Confidence::high);
  }
}
}  // namespace

extern const RuleSpec kRule_PY809{.id = "PY809", .call_names = "load load_state_dict_from_url", .on_call = check};

}  // namespace mg::py
