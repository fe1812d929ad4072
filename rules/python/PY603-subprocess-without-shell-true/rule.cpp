#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (!one_of(call.qualname, {"subprocess.Popen", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.run"})) return;
  const TSNode shell = call.keyword("shell");
  if (!ts_node_is_null(shell) && literal_truth(c.tree(), shell).value_or(true)) return;
  c.report_line("PY603", call.node, keyword_line(call, "shell"), call.qualname + " starts a process; check where its arguments come from");
}
}  // namespace

extern const RuleSpec kRule_PY603{.id = "PY603", .call_names = "Popen call check_call check_output run", .on_call = check};

}  // namespace mg::py
