#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"xml.dom.pulldom.parse",
                             "xml.dom.pulldom.parseString"})) {
    c.report("PY319", call.node, call.qualname + ": xml.dom.pulldom parsing of untrusted XML");
  }
}
}  // namespace

extern const RuleSpec kRule_PY319{.id = "PY319", .call_names = "parse parseString", .on_call = check};

}  // namespace mg::py
