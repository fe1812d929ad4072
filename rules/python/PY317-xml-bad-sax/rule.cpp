#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"xml.sax.parse",
                             "xml.sax.parseString",
                             "xml.sax.make_parser"})) {
    c.report("PY317", call.node, call.qualname + ": xml.sax parsing of untrusted XML");
  }
}
}  // namespace

extern const RuleSpec kRule_PY317{.id = "PY317", .call_names = "make_parser parse parseString", .on_call = check};

}  // namespace mg::py
