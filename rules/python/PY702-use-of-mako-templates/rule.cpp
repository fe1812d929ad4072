#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname.compare(0, 5, "mako.") == 0 || call.qualname.find(".mako.") != std::string::npos) {
    c.report("PY702", call.node, "Mako templates do not escape by default (XSS)");
  }
}
}  // namespace

extern const RuleSpec kRule_PY702{.id = "PY702", .call_names = "Template", .on_call = check};

}  // namespace mg::py
