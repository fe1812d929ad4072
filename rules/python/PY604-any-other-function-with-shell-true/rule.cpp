#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.keywords.empty()) return;
  const TSNode shell = call.keyword("shell");
  if (ts_node_is_null(shell) || !literal_truth(c.tree(), shell).value_or(true)) return;
  if (one_of(call.qualname, {"subprocess.Popen", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.run"})) return;
  c.report_line("PY604", call.node, line_of(shell), "call with shell=True: if this wraps a process start, it runs a shell");
}
}  // namespace

extern const RuleSpec kRule_PY604{.id = "PY604", .on_call = check};

}  // namespace mg::py
