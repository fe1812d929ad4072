#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname.compare(0, 18, "torch.distributed.") == 0) {
    c.report("PY812", call.node, call.qualname + " unpickles objects sent by other ranks");
  }
}
}  // namespace

extern const RuleSpec kRule_PY812{.id = "PY812", .call_names = "recv_object_list broadcast_object_list scatter_object_list all_gather_object gather_object", .on_call = check};

}  // namespace mg::py
