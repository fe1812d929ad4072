#include "python/checker.hpp"

namespace mg::py {
namespace {
// Bandit: only bare `except:` and `except Exception:` by default; the handler body is one statement.
void check(Checker& c, TSNode n) {
  if (is(sole_statement_of_broad_handler(c, n), "continue_statement")) c.report("PY112", n, "exception swallowed with continue");
}
}  // namespace

extern const RuleSpec kRule_PY112{.id = "PY112", .node_types = "except_clause", .on_node = check};

}  // namespace mg::py
