#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"torch.jit.load", "torch.jit._serialization.load"})) {
    c.report("PY806", call.node, "torch.jit.load runs the TorchScript program stored in the file");
  }
}
}  // namespace

extern const RuleSpec kRule_PY806{.id = "PY806", .call_names = "load", .on_call = check};

}  // namespace mg::py
