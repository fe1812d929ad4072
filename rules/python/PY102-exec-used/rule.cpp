#include "python/checker.hpp"

namespace mg::py {
namespace {
void on_call(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"exec", "builtins.exec", "__builtins__.exec", "__builtin__.exec"})) c.report("PY102", call.node, "exec() runs a string as Python code");
}
// Python 2 spelling: `exec code [in globals]`.
void on_node(Checker& c, TSNode n) { c.report("PY102", n, "exec statement runs a string as Python code"); }
}  // namespace

extern const RuleSpec kRule_PY102{.id = "PY102", .call_names = "exec", .on_call = on_call, .node_types = "exec_statement", .on_node = on_node};

}  // namespace mg::py
