#include "python/checker.hpp"

namespace mg::py {
namespace {
// Asserts vanish under `python -O`; code relying on them for checks loses them silently.
void check(Checker& c, TSNode n) {
  c.report("PY101", n, "assert is removed when Python runs with -O; do not rely on it for checks");
}
}  // namespace

extern const RuleSpec kRule_PY101{.id = "PY101", .node_types = "assert_statement", .on_node = check};

}  // namespace mg::py
