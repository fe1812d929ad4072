#include "python/checker.hpp"
#include "rules/python/common/behaviour.hpp"

namespace mg::py {
namespace {
using namespace behaviour;

void check(Checker& c, const Call& call) {
  const bool shell = one_of(call.qualname, {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
                                             "subprocess.Popen", "os.system", "os.popen", "subprocess.getoutput"});
  const bool pip_api = one_of(call.qualname, {"pip.main", "pip._internal.main", "pip._internal.cli.main.main", "pipmain"});
  if (!shell && !pip_api) return;
  bool pip = pip_api, install = false;
  for (TSNode a : call.args) {
    for_each_string(c, a, [&](const std::string& s) {
      if (s == "pip" || s == "pip3" || s.find("pip install") != std::string::npos || s.find("pip3 install") != std::string::npos ||
          s.find("-m pip") != std::string::npos) pip = true;
      if (s == "install" || s.find(" install") != std::string::npos) install = true;
    });
  }
  if (!pip || !install || in_main_guard(c, call.node)) return;
  c.report("PY956", call.node, call.qualname + " runs pip install while the model loads: packages (and their build code) chosen by the repository run unreviewed");
}
}  // namespace

extern const RuleSpec kRule_PY956{.id = "PY956", .call_names = "run call check_call check_output Popen system popen getoutput main pipmain", .on_call = check};

}  // namespace mg::py
