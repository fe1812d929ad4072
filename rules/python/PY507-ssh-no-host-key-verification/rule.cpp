#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (!c.imported_like("paramiko") || call.args.empty()) return;
  TSNode a = call.args[0];
  std::string name;
  if (is(a, "call")) {
    const std::string q = c.names().call_qualname(c.tree(), a);
    name = q.substr(q.rfind('.') == std::string::npos ? 0 : q.rfind('.') + 1);
  } else if (auto v = bandit_value(c.tree(), a)) {
    name = *v;
  }
  if (name == "AutoAddPolicy" || name == "WarningPolicy") {
    c.report("PY507", call.node, "paramiko trusts unknown host keys (" + name + "): connections can be intercepted");
  }
}
}  // namespace

extern const RuleSpec kRule_PY507{.id = "PY507", .call_names = "set_missing_host_key_policy", .on_call = check};

}  // namespace mg::py
