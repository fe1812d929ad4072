#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"telnetlib.Telnet"})) {
    c.report("PY312", call.node, call.qualname + ": telnetlib use (cleartext protocol)");
  }
}
}  // namespace

extern const RuleSpec kRule_PY312{.id = "PY312", .call_names = "Telnet", .on_call = check};

}  // namespace mg::py
