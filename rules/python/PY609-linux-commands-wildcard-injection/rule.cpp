#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.args.empty()) return;
  const bool shell_fn = one_of(call.qualname, {"os.system", "os.popen", "os.popen2", "os.popen3", "os.popen4", "popen2.popen2",
                                               "popen2.popen3", "popen2.popen4", "popen2.Popen3", "popen2.Popen4",
                                               "commands.getoutput", "commands.getstatusoutput", "subprocess.getoutput",
                                               "subprocess.getstatusoutput"});
  bool subprocess_shell = false;
  if (!shell_fn && one_of(call.qualname, {"subprocess.Popen", "subprocess.call", "subprocess.check_call",
                                          "subprocess.check_output", "subprocess.run"})) {
    const TSNode s = call.keyword("shell");
    const auto v = ts_node_is_null(s) ? std::nullopt : bandit_value(c.tree(), s);
    subprocess_shell = v && *v == "True";
  }
  if (!shell_fn && !subprocess_shell) return;
  std::string command;
  const TSNode a = call.args[0];
  if (auto s = string_value(c.tree(), a)) {
    command = *s;
  } else if (is(a, "list")) {
    for (TSNode e : named_children(a)) {
      if (auto s2 = string_value(c.tree(), e)) command += " " + *s2;
    }
  }
  if (command.find('*') == std::string::npos) return;
  for (std::string_view tool : {"chown", "chmod", "tar", "rsync"}) {
    if (command.find(tool) != std::string::npos) {
      c.report_line("PY609", call.node, keyword_line(call, "shell"), "wildcard in a " + std::string(tool) + " command run through a shell: option injection via file names");
      return;
    }
  }
}
}  // namespace

extern const RuleSpec kRule_PY609{.id = "PY609", .on_call = check};

}  // namespace mg::py
