#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"cloudpickle.load", "cloudpickle.loads", "torch.serialization.pickle.load",
                             "srsly.pickle_loads", "srsly.cloudpickle.loads"})) {
    c.report("PY803", call.node, call.qualname + " is pickle underneath: loading the data can run code");
  }
}
}  // namespace

extern const RuleSpec kRule_PY803{.id = "PY803", .call_names = "load loads", .on_call = check};

}  // namespace mg::py
