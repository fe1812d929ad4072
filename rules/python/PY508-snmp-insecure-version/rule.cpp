#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname != "pysnmp.hlapi.CommunityData") return;
  const TSNode m = call.keyword("mpModel");
  if (ts_node_is_null(m)) return;
  if (const auto v = literal_int(c.tree(), m); v && (*v == 0 || *v == 1)) {
    c.report("PY508", call.node, "SNMPv1/v2c sends community strings in clear text; use SNMPv3");
  }
}
}  // namespace

extern const RuleSpec kRule_PY508{.id = "PY508", .call_names = "CommunityData", .on_call = check};

}  // namespace mg::py
