#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, TSNode fn) {
  for (TSNode p : named_children(field(fn, "parameters"))) {
    if (!is(p, "default_parameter") && !is(p, "typed_default_parameter")) continue;
    const std::string q = c.qualname(field(p, "value"));
    const auto dot = q.rfind('.');
    const std::string_view last = dot == std::string::npos ? std::string_view(q) : std::string_view(q).substr(dot + 1);
    if (one_of(last, {"PROTOCOL_SSLv2", "SSLv2_METHOD", "SSLv23_METHOD", "PROTOCOL_SSLv3", "PROTOCOL_TLSv1", "SSLv3_METHOD",
                      "TLSv1_METHOD", "PROTOCOL_TLSv1_1", "TLSv1_1_METHOD"})) {
      c.report("PY503", fn, "function defaults to an insecure SSL/TLS protocol version (" + std::string(last) + ")");
      return;
    }
  }
}
}  // namespace

extern const RuleSpec kRule_PY503{.id = "PY503", .node_types = "function_definition", .on_node = check};

}  // namespace mg::py
