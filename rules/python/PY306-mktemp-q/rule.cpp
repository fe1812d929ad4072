#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"tempfile.mktemp"})) {
    c.report("PY306", call.node, call.qualname + ": tempfile.mktemp (race-prone temporary file name)");
  }
}
}  // namespace

extern const RuleSpec kRule_PY306{.id = "PY306", .call_names = "mktemp", .on_call = check};

}  // namespace mg::py
