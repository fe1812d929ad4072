#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"ftplib.FTP"})) {
    c.report("PY321", call.node, call.qualname + ": ftplib use (cleartext protocol)");
  }
}
}  // namespace

extern const RuleSpec kRule_PY321{.id = "PY321", .call_names = "FTP", .on_call = check};

}  // namespace mg::py
