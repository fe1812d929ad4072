#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, TSNode n) {
  const std::string_view name = c.text(field(n, "name"));
  if (name != "__reduce__" && name != "__reduce_ex__") return;
  TSNode block = c.parent(n);
  if (is(block, "decorated_definition")) block = c.parent(block);
  if (!is(c.parent(block), "class_definition")) return;
  c.report("PY958", n, std::string(name) + " defined in repository code: it decides what an unpickler calls, the mechanism pickle payloads are built with");
}
}  // namespace

extern const RuleSpec kRule_PY958{.id = "PY958", .node_types = "function_definition", .on_node = check};

}  // namespace mg::py
