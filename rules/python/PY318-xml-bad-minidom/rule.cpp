#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"xml.dom.minidom.parse",
                             "xml.dom.minidom.parseString"})) {
    c.report("PY318", call.node, call.qualname + ": xml.dom.minidom parsing of untrusted XML");
  }
}
}  // namespace

extern const RuleSpec kRule_PY318{.id = "PY318", .call_names = "parse parseString", .on_call = check};

}  // namespace mg::py
