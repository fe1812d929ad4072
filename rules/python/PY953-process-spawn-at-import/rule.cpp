#include "python/checker.hpp"
#include "rules/python/common/behaviour.hpp"

namespace mg::py {
namespace {
using namespace behaviour;

bool spawns(std::string_view q) {
  if (one_of(q, {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output", "subprocess.Popen",
                 "subprocess.getoutput", "subprocess.getstatusoutput", "os.system", "os.popen", "os.startfile", "os.posix_spawn",
                 "os.posix_spawnp", "pty.spawn", "commands.getoutput", "asyncio.create_subprocess_shell", "asyncio.create_subprocess_exec"})) {
    return true;
  }
  return q.rfind("os.exec", 0) == 0 || q.rfind("os.spawn", 0) == 0;
}

void check(Checker& c, const Call& call) {
  if (!spawns(call.qualname) || !runs_on_import(c, call.node)) return;
  c.report("PY953", call.node, call.qualname + " at module level: importing this file starts a process");
}
}  // namespace

extern const RuleSpec kRule_PY953{
    .id = "PY953",
    .call_names = "run call check_call check_output Popen getoutput getstatusoutput system popen startfile posix_spawn posix_spawnp spawn "
                  "create_subprocess_shell create_subprocess_exec execl execle execlp execlpe execv execve execvp execvpe spawnl "
                  "spawnle spawnlp spawnlpe spawnv spawnve spawnvp spawnvpe",
    .on_call = check};

}  // namespace mg::py
