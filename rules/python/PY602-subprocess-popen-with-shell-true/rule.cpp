#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (!one_of(call.qualname, {"subprocess.Popen", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.run"})) return;
  const TSNode shell = call.keyword("shell");
  if (ts_node_is_null(shell) || !literal_truth(c.tree(), shell).value_or(true)) return;
  if (call.args.empty()) return;
  const std::uint32_t line = line_of(shell);
  if (is_string_literal(call.args[0]) && !is_fstring(c.tree(), call.args[0])) {
    c.report_line("PY602", call.node, line, call.qualname + " with shell=True and a constant command; it still runs a shell",
                  Severity::low, Confidence::high);
  } else {
    c.report_line("PY602", call.node, line, call.qualname + " with shell=True and a computed command: shell injection");
  }
}
}  // namespace

extern const RuleSpec kRule_PY602{.id = "PY602", .call_names = "Popen call check_call check_output run", .on_call = check};

}  // namespace mg::py
