#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"xml.etree.cElementTree.parse",
                             "xml.etree.cElementTree.iterparse",
                             "xml.etree.cElementTree.fromstring",
                             "xml.etree.cElementTree.XMLParser"})) {
    c.report("PY313", call.node, call.qualname + ": xml.etree.cElementTree parsing of untrusted XML");
  }
}
}  // namespace

extern const RuleSpec kRule_PY313{.id = "PY313", .call_names = "XMLParser fromstring iterparse parse", .on_call = check};

}  // namespace mg::py
