#include "python/checker.hpp"

namespace mg::py {
namespace {
// Bandit: only bare `except:` and `except Exception:` by default; the handler body is one statement.
void check(Checker& c, TSNode n) {
  TSNode type = field(n, "value");
  if (is(type, "as_pattern")) type = ts_node_named_child(type, 0);  // except Exception as e:
  if (!ts_node_is_null(type) && !(is(type, "identifier") && c.text(type) == "Exception")) return;
  TSNode body{};
  for (TSNode ch : named_children(n)) {
    if (is(ch, "block")) body = ch;
  }
  if (ts_node_is_null(body)) return;
  TSNode only{};
  int statements = 0;
  for (TSNode s : named_children(body)) {
    if (is(s, "comment")) continue;
    ++statements;
    only = s;
  }
  if (statements == 1 && is(only, "continue_statement")) c.report("PY112", n, "exception swallowed with continue");
}
}  // namespace

extern const RuleSpec kRule_PY112{.id = "PY112", .node_types = "except_clause", .on_node = check};

}  // namespace mg::py
