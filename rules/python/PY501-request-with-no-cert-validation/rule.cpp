#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  const std::string& q = call.qualname;
  const bool requests = q.find("requests") != std::string::npos &&
                        one_of(call.name, {"get", "options", "head", "post", "put", "patch", "delete"});
  const bool httpx = q.compare(0, 6, "httpx.") == 0 &&
                     one_of(call.name, {"get", "options", "head", "post", "put", "patch", "delete", "request", "stream", "Client", "AsyncClient"});
  if (!requests && !httpx) return;
  const TSNode v = call.keyword("verify");
  if (ts_node_is_null(v)) return;
  if (const auto b = bandit_value(c.tree(), v); b && *b == "False") {
    c.report_line("PY501", call.node, line_of(v), q + " with verify=False accepts any TLS certificate");
  }
}
}  // namespace

extern const RuleSpec kRule_PY501{.id = "PY501", .call_names = "get options head post put patch delete request stream Client AsyncClient", .on_call = check};

}  // namespace mg::py
