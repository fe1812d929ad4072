#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (call.qualname == "ssl.wrap_socket" && !call.has_keyword("ssl_version")) {
    c.report("PY504", call.node, "ssl.wrap_socket without ssl_version; the default may allow insecure protocols");
  }
}
}  // namespace

extern const RuleSpec kRule_PY504{.id = "PY504", .call_names = "wrap_socket", .on_call = check};

}  // namespace mg::py
