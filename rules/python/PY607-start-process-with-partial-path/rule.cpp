#include "python/checker.hpp"

namespace mg::py {
namespace {
// Absolute: a drive letter, or a leading slash, backslash or dot.
bool absolute(std::string_view s) {
  if (s.empty()) return false;
  if (s[0] == '/' || s[0] == '\\' || s[0] == '.') return true;
  return s.size() >= 2 && ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) && s[1] == ':';
}

void check(Checker& c, const Call& call) {
  if (call.args.empty()) return;
  if (!one_of(call.qualname, {"subprocess.Popen", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.run", "os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "popen2.popen2", "popen2.popen3", "popen2.popen4", "popen2.Popen3", "popen2.Popen4", "commands.getoutput", "commands.getstatusoutput", "subprocess.getoutput", "subprocess.getstatusoutput", "os.execl", "os.execle", "os.execlp", "os.execlpe", "os.execv", "os.execve", "os.execvp", "os.execvpe", "os.spawnl", "os.spawnle", "os.spawnlp", "os.spawnlpe", "os.spawnv", "os.spawnve", "os.spawnvp", "os.spawnvpe", "os.startfile"})) return;
  TSNode exe = call.args[0];
  if (is(exe, "list")) {
    if (ts_node_named_child_count(exe) == 0) return;
    exe = ts_node_named_child(exe, 0);
  }
  if (!is(exe, "string") && !is(exe, "concatenated_string")) return;
  const auto s = string_value(c.tree(), exe);
  if (!s || absolute(*s)) return;
  c.report("PY607", call.node, "process started with a partial path; PATH decides which executable runs");
}
}  // namespace

extern const RuleSpec kRule_PY607{.id = "PY607", .on_call = check};

}  // namespace mg::py
