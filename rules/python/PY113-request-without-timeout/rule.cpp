#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  const auto dot = call.qualname.find('.');
  if (dot == std::string::npos) return;
  const std::string_view lib = std::string_view(call.qualname).substr(0, dot);
  const std::string_view rest = std::string_view(call.qualname).substr(dot + 1);
  const bool requests = lib == "requests" && one_of(rest, {"get", "options", "head", "post", "put", "patch", "delete", "request"});
  const bool httpx = lib == "httpx" && one_of(rest, {"get", "options", "head", "post", "put", "patch", "delete", "request", "stream"});
  if (!requests && !httpx) return;
  const TSNode t = call.keyword("timeout");
  if (ts_node_is_null(t)) {
    if (call.star_kwargs) return;  // may be passed in **kwargs
    c.report("PY113", call.node, call.qualname + " without a timeout can hang forever");
  } else if (is(t, "none")) {
    c.report_line("PY113", call.node, line_of(t), call.qualname + " with timeout=None can hang forever");
  }
}
}  // namespace

extern const RuleSpec kRule_PY113{.id = "PY113", .call_names = "get options head post put patch delete request stream", .on_call = check};

}  // namespace mg::py
