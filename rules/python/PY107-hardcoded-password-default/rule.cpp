#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, TSNode fn) {
  const TSNode params = field(fn, "parameters");
  for (TSNode p : named_children(params)) {
    if (!is(p, "default_parameter") && !is(p, "typed_default_parameter")) continue;
    const TSNode name = field(p, "name");
    const TSNode value = field(p, "value");
    if (is(name, "identifier") && is_string_literal(value) && is_password_name(c.text(name))) {
      c.report("PY107", fn, "possible hard-coded password as the default of " + std::string(c.text(name)));
      return;
    }
  }
}
}  // namespace

extern const RuleSpec kRule_PY107{.id = "PY107", .node_types = "function_definition", .on_node = check};

}  // namespace mg::py
