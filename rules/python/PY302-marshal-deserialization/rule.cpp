#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"marshal.load", "marshal.loads"})) {
    c.report("PY302", call.node, call.qualname + " reads code objects; marshal data is not safe to load from untrusted sources");
  }
}
}  // namespace

extern const RuleSpec kRule_PY302{.id = "PY302", .call_names = "load loads", .on_call = check};

}  // namespace mg::py
