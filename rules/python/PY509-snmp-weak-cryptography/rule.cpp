#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname != "pysnmp.hlapi.UsmUserData") return;
  std::size_t given = call.args.size();
  if (call.has_keyword("authKey")) ++given;
  if (call.has_keyword("privKey")) ++given;
  if (given < 3 && !call.star_kwargs) {
    c.report("PY509", call.node, "SNMPv3 user without both authentication and privacy keys");
  }
}
}  // namespace

extern const RuleSpec kRule_PY509{.id = "PY509", .call_names = "UsmUserData", .on_call = check};

}  // namespace mg::py
