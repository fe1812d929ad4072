#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.args.empty()) return;
  if (is_string_literal(call.args[0]) && !is_fstring(c.tree(), call.args[0])) return;
  if (call.qualname == "pandas.eval") {
    c.report("PY811", call.node, "pandas.eval of a computed expression can evaluate Python");
  } else if (call.name == "query" && c.imported_like("pandas") && !call.qualname.empty() && call.qualname[0] != '.' &&
             call.qualname.find("pandas") == std::string::npos) {
    // df.query(expr): the receiver is a local name; in a pandas module it is most likely a DataFrame.
    c.report("PY811", call.node, "DataFrame.query of a computed expression can evaluate Python", Severity::medium, Confidence::low);
  }
}
}  // namespace

extern const RuleSpec kRule_PY811{.id = "PY811", .call_names = "eval query", .on_call = check};

}  // namespace mg::py
