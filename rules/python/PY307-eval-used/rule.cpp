#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"eval", "builtins.eval", "__builtins__.eval", "__builtin__.eval"})) c.report("PY307", call.node, "eval() runs a string as Python code; ast.literal_eval parses literals safely");
}
}  // namespace

extern const RuleSpec kRule_PY307{.id = "PY307", .call_names = "eval", .on_call = check};

}  // namespace mg::py
