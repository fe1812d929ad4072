#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"django.utils.safestring.mark_safe"})) {
    c.report("PY308", call.node, call.qualname + ": django mark_safe (bypasses escaping)");
  }
}
}  // namespace

extern const RuleSpec kRule_PY308{.id = "PY308", .call_names = "mark_safe", .on_call = check};

}  // namespace mg::py
