#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (!c.imported_like("flask")) return;
  const TSNode d = call.keyword("debug");
  if (ts_node_is_null(d)) return;
  if (const auto v = bandit_value(c.tree(), d); v && *v == "True") {
    c.report_line("PY201", call.node, line_of(d), "Flask app run with debug=True exposes the Werkzeug debugger (code execution)");
  }
}
}  // namespace

extern const RuleSpec kRule_PY201{.id = "PY201", .call_names = "run", .on_call = check};

}  // namespace mg::py
