#include "python/checker.hpp"

namespace mg::py {
namespace {
// Bandit: only bare `except:` and `except Exception:` by default; the handler body is one statement.
void check(Checker& c, TSNode n) {
  if (is(sole_statement_of_broad_handler(c, n), "pass_statement")) c.report("PY110", n, "exception swallowed with pass");
}
}  // namespace

extern const RuleSpec kRule_PY110{.id = "PY110", .node_types = "except_clause", .on_node = check};

}  // namespace mg::py
