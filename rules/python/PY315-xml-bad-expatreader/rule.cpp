#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"xml.sax.expatreader.create_parser"})) {
    c.report("PY315", call.node, call.qualname + ": xml.sax.expatreader parser for untrusted XML");
  }
}
}  // namespace

extern const RuleSpec kRule_PY315{.id = "PY315", .call_names = "create_parser", .on_call = check};

}  // namespace mg::py
