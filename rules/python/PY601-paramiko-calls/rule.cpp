#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (c.imported_like("paramiko")) c.report("PY601", call.node, "command run over SSH with paramiko: check its inputs");
}
}  // namespace

extern const RuleSpec kRule_PY601{.id = "PY601", .call_names = "exec_command", .on_call = check};

}  // namespace mg::py
