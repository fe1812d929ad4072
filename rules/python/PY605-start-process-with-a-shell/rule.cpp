#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (!one_of(call.qualname, {"os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "popen2.popen2", "popen2.popen3", "popen2.popen4", "popen2.Popen3", "popen2.Popen4", "commands.getoutput", "commands.getstatusoutput", "subprocess.getoutput", "subprocess.getstatusoutput"})) return;
  if (call.args.empty()) return;
  if (is_string_literal(call.args[0]) && !is_fstring(c.tree(), call.args[0])) {
    c.report("PY605", call.node, call.qualname + " runs a constant command through a shell", Severity::low, Confidence::high);
  } else {
    c.report("PY605", call.node, call.qualname + " runs a computed command through a shell: shell injection");
  }
}
}  // namespace

extern const RuleSpec kRule_PY605{.id = "PY605", .call_names = "system popen popen2 popen3 popen4 Popen3 Popen4 getoutput getstatusoutput", .on_call = check};

}  // namespace mg::py
