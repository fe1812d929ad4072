#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.name.find("extractall") == std::string_view::npos) return;
  if (!c.imported_like("tarfile")) return;
  const TSNode filter = call.keyword("filter");
  if (!ts_node_is_null(filter)) {
    if (const auto v = c.literal(filter); v && *v == "data") return;
  }
  const TSNode members = call.keyword("members");
  if (ts_node_is_null(members)) {
    c.report("PY202", call.node, "tarfile extractall without members or filter='data': archive entries can write outside the target directory",
             Severity::high, Confidence::high);
  } else if (is(members, "call")) {
    c.report("PY202", call.node, "tarfile extractall with members from a function: check that it rejects unsafe paths",
             Severity::low, Confidence::low);
  } else {
    c.report("PY202", call.node, "tarfile extractall with unfiltered members", Severity::medium, Confidence::medium);
  }
}
}  // namespace

extern const RuleSpec kRule_PY202{.id = "PY202", .on_call = check};

}  // namespace mg::py
