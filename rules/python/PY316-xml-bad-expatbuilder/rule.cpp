#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"xml.dom.expatbuilder.parse",
                             "xml.dom.expatbuilder.parseString"})) {
    c.report("PY316", call.node, call.qualname + ": xml.dom.expatbuilder parsing of untrusted XML");
  }
}
}  // namespace

extern const RuleSpec kRule_PY316{.id = "PY316", .call_names = "parse parseString", .on_call = check};

}  // namespace mg::py
