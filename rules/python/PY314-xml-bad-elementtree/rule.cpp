#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"xml.etree.ElementTree.parse",
                             "xml.etree.ElementTree.iterparse",
                             "xml.etree.ElementTree.fromstring",
                             "xml.etree.ElementTree.XMLParser"})) {
    c.report("PY314", call.node, call.qualname + ": xml.etree.ElementTree parsing of untrusted XML");
  }
}
}  // namespace

extern const RuleSpec kRule_PY314{.id = "PY314", .call_names = "XMLParser fromstring iterparse parse", .on_call = check};

}  // namespace mg::py
