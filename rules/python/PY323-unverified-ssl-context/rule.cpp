#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"ssl._create_unverified_context"})) {
    c.report("PY323", call.node, call.qualname + ": ssl._create_unverified_context disables certificate checks");
  }
}
}  // namespace

extern const RuleSpec kRule_PY323{.id = "PY323", .call_names = "_create_unverified_context", .on_call = check};

}  // namespace mg::py
