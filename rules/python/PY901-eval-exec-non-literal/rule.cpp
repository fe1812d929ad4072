#include "python/checker.hpp"

namespace mg::py {
namespace {
// Decoders that turn a blob into code: exec(zlib.decompress(base64.b64decode(...))).
bool decodes_payload(const Checker& c, TSNode n, int depth = 0) {
  if (depth > 16 || !is(n, "call")) return false;
  const std::string q = c.names().call_qualname(c.tree(), n);
  const std::string_view last = std::string_view(q).substr(q.rfind('.') == std::string::npos ? 0 : q.rfind('.') + 1);
  if (one_of(last, {"b64decode", "b32decode", "b16decode", "a85decode", "b85decode", "decodebytes", "decompress",
                    "fromhex", "unhexlify", "a2b_base64", "loads", "decrypt"}) ||
      q == "codecs.decode") {
    return true;
  }
  const TSNode fn = field(n, "function");
  if (is(fn, "attribute")) {  // blob.decode(...) after a decoder
    if (decodes_payload(c, field(fn, "object"), depth + 1)) return true;
  }
  for (TSNode a : named_children(field(n, "arguments"))) {
    if (decodes_payload(c, a, depth + 1)) return true;
  }
  return false;
}

void judge(Checker& c, TSNode at, TSNode code, std::string_view what) {
  if (ts_node_is_null(code)) return;
  if (is_string_literal(code) && !is_fstring(c.tree(), code)) return;
  if (c.literal(code)) return;
  if (decodes_payload(c, code)) {
    c.report("PY901", at, std::string(what) + " of a decoded payload: code hidden from review runs here", Severity::critical,
             Confidence::high);
  } else {
    c.report("PY901", at, std::string(what) + " of a computed string");
  }
}

void on_call(Checker& c, const Call& call) {
  if (!one_of(call.qualname, {"eval", "exec", "compile", "execfile", "builtins.eval", "builtins.exec", "builtins.compile",
                             "__builtins__.eval", "__builtins__.exec", "__builtin__.eval", "__builtin__.execfile"})) {
    return;
  }
  judge(c, call.node, call.arg_or_keyword(0, "source"), call.name);
}

void on_node(Checker& c, TSNode n) { judge(c, n, field(n, "code"), "exec"); }
}  // namespace

extern const RuleSpec kRule_PY901{.id = "PY901", .call_names = "eval exec compile execfile", .on_call = on_call, .node_types = "exec_statement", .on_node = on_node};

}  // namespace mg::py
